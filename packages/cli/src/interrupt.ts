/**
 * Ctrl-C handling for long commands. The first SIGINT only raises a flag (and aborts the
 * signal) so the command can finish its step, save a checkpoint and exit; the second exits
 * at once. Checkpoints are written to a temporary name and renamed, so exiting mid-write
 * leaves the previous checkpoint intact.
 */
export class Interrupt {
  readonly #controller = new AbortController();
  #count = 0;
  readonly #onSignal = (): void => {
    this.#count++;
    if (this.#count === 1) {
      this.onFirst?.();
      this.#controller.abort();
    } else {
      process.stderr.write('\nsecond Ctrl-C: exiting now (the last checkpoint is intact)\n');
      process.exit(130);
    }
  };

  onFirst?: () => void;

  constructor() {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  get requested(): boolean {
    return this.#count > 0;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}

import cliProgress from 'cli-progress';

export interface ProgressUpdate {
  step: number;
  tokens: number;
  fvu: number;
  l0: number;
  deadFraction: number;
  tokensPerSecond: number;
}

/** Where training progress goes: a live bar on a terminal, log lines otherwise. */
export interface ProgressDisplay {
  update(u: ProgressUpdate): void;
  /** Prints a message without tearing the bar. */
  log(message: string): void;
  stop(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatRate(tokensPerSecond: number): string {
  if (!Number.isFinite(tokensPerSecond)) return '?';
  if (tokensPerSecond >= 1e6) return `${(tokensPerSecond / 1e6).toFixed(2)}M`;
  if (tokensPerSecond >= 1e3) return `${(tokensPerSecond / 1e3).toFixed(1)}k`;
  return tokensPerSecond.toFixed(0);
}

/** A live bar (cli-progress) on stderr: step, tokens/s, FVU, L0, dead %, ETA. */
class BarDisplay implements ProgressDisplay {
  readonly #bar: cliProgress.SingleBar;

  constructor(totalSteps: number, startStep: number) {
    this.#bar = new cliProgress.SingleBar(
      {
        format:
          '{bar} {value}/{total} | {rate} tok/s | FVU {fvu} | L0 {l0} | dead {dead}% | ETA {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(totalSteps, startStep, { rate: '-', fvu: '-', l0: '-', dead: '-' });
  }

  update(u: ProgressUpdate): void {
    this.#bar.update(u.step, {
      rate: formatRate(u.tokensPerSecond),
      fvu: u.fvu.toFixed(4),
      l0: u.l0.toFixed(1),
      dead: (u.deadFraction * 100).toFixed(1),
    });
  }

  log(message: string): void {
    // cli-progress redraws on the next update; clear the line so the message stands alone.
    process.stderr.write(`\r\x1b[2K${message}\n`);
  }

  stop(): void {
    this.#bar.stop();
  }
}

/** Plain lines on stderr every `everySteps` steps (and on the last), for logs and CI. */
class LineDisplay implements ProgressDisplay {
  readonly #started = Date.now();
  readonly #startStep: number;

  constructor(
    readonly totalSteps: number,
    startStep: number,
    readonly everySteps: number,
  ) {
    this.#startStep = startStep;
  }

  update(u: ProgressUpdate): void {
    if (u.step % this.everySteps !== 0 && u.step !== this.totalSteps) return;
    const elapsed = (Date.now() - this.#started) / 1000;
    const done = u.step - this.#startStep;
    const eta = done > 0 ? (elapsed / done) * (this.totalSteps - u.step) : Number.NaN;
    process.stderr.write(
      `step ${u.step}/${this.totalSteps}  tokens ${u.tokens}  fvu ${u.fvu.toFixed(4)}  ` +
        `l0 ${u.l0.toFixed(1)}  dead ${(u.deadFraction * 100).toFixed(1)}%  ` +
        `${formatRate(u.tokensPerSecond)} tok/s  eta ${formatDuration(eta)}\n`,
    );
  }

  log(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  stop(): void {}
}

export function createProgressDisplay(options: {
  totalSteps: number;
  startStep: number;
  logEvery: number;
  /** Force plain lines even on a terminal (--no-progress). */
  plain?: boolean;
}): ProgressDisplay {
  return process.stderr.isTTY && !options.plain
    ? new BarDisplay(options.totalSteps, options.startStep)
    : new LineDisplay(options.totalSteps, options.startStep, options.logEvery);
}

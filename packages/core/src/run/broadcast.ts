/**
 * One stream of batches handed to several readers: each batch is read from the source once
 * and given, the same array, to every reader in turn. A reader may run at most `window`
 * batches ahead of the slowest; batches every reader has taken are dropped. `stop()` ends
 * every reader's stream after the same number of batches (the most any reader has taken), so
 * all readers stop at one data position.
 */
export class Broadcast {
  readonly #it: AsyncIterator<Float32Array>;
  readonly #window: number;
  /** Batches [#base, #base + #buffer.length) not yet taken by every reader. */
  readonly #buffer: Float32Array[] = [];
  #base = 0;
  readonly #taken: number[];
  #ended = false;
  #stopAt: number | null = null;
  #reading: Promise<void> | null = null;
  #waiters: (() => void)[] = [];

  constructor(source: AsyncIterable<Float32Array>, readers: number, window = 8) {
    this.#it = source[Symbol.asyncIterator]();
    this.#taken = new Array<number>(readers).fill(0);
    this.#window = Math.max(1, window);
  }

  /** The stream of reader `i`. */
  reader(i: number): AsyncIterable<Float32Array> {
    const next = () => this.#next(i);
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }

  /** Ends every reader's stream after the batches some reader has already taken. */
  stop(): void {
    this.#stopAt ??= Math.max(...this.#taken);
    this.#wake();
  }

  /** Batches read from the source so far. */
  get read(): number {
    return this.#base + this.#buffer.length;
  }

  async #next(i: number): Promise<IteratorResult<Float32Array>> {
    for (;;) {
      const idx = this.#taken[i];
      if (this.#stopAt !== null && idx >= this.#stopAt) return { done: true, value: undefined };
      if (idx < this.read) {
        const value = this.#buffer[idx - this.#base];
        this.#taken[i] = idx + 1;
        this.#trim();
        this.#wake();
        return { done: false, value };
      }
      if (this.#ended) return { done: true, value: undefined };
      if (idx - Math.min(...this.#taken) >= this.#window) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
        continue;
      }
      this.#reading ??= this.#readOne();
      await this.#reading;
    }
  }

  async #readOne(): Promise<void> {
    try {
      const r = await this.#it.next();
      if (r.done) this.#ended = true;
      else this.#buffer.push(r.value);
    } finally {
      this.#reading = null;
      this.#wake();
    }
  }

  #trim(): void {
    const slowest = Math.min(...this.#taken);
    while (this.#base < slowest && this.#buffer.length > 0) {
      this.#buffer.shift();
      this.#base++;
    }
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const resolve of w) resolve();
  }
}

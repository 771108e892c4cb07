import { Worker } from 'node:worker_threads';
import type { WasmKernelName, WasmKernels } from '../wasm.js';
import { EXIT, NO_PART, SLOT_WORDS, WORKER_SOURCE } from './worker-source.js';

/** One part of a call: the kernel's arguments for a slice of its rows or elements. */
export type Part = readonly number[];

/**
 * Threads over the shared heap: `size − 1` workers plus the calling thread, each with its own
 * instance of the kernels module over the same memory. `run` hands part i of a kernel call to
 * thread i, runs part 0 itself and blocks (Atomics.wait) until every part is done, so kernels
 * stay synchronous, as the contract requires. Parts must write disjoint memory; the caller
 * splits by rows so they do. A run costs a wake-up and a wait, tens of microseconds, so
 * kernels split only work large enough to pay for it (see `split`).
 */
export class ThreadPool {
  readonly #workers: Worker[] = [];
  readonly #control = new Int32Array(new SharedArrayBuffer(8));
  readonly #slots: Float64Array;
  readonly #ids: Map<WasmKernelName, number>;
  /** Calls split over more than one thread, by kernel (tests check that splitting happens). */
  readonly parallelRuns = new Map<WasmKernelName, number>();

  constructor(
    readonly size: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    readonly local: WasmKernels,
    names: readonly WasmKernelName[],
  ) {
    this.#slots = new Float64Array(new SharedArrayBuffer(size * SLOT_WORDS * 8));
    this.#ids = new Map(names.map((n, i) => [n, i]));
    for (let slot = 1; slot < size; slot++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module,
          memory,
          control: this.#control.buffer,
          slots: this.#slots.buffer,
          slot,
          names,
        },
      });
      // Idle workers sleep in Atomics.wait; they must not keep the process alive.
      worker.unref();
      this.#workers.push(worker);
    }
  }

  /** Runs `parts` (at most `size`) of one kernel; returns each part's result. */
  run(name: WasmKernelName, parts: readonly Part[]): number[] {
    if (parts.length === 0) return [];
    const fn = this.local[name] as (...args: number[]) => number | undefined;
    if (parts.length === 1 || this.size === 1) {
      return parts.map((p) => fn(...p) ?? 0);
    }
    if (parts.length > this.size) {
      throw new RangeError(`${name}: ${parts.length} parts for a pool of ${this.size} threads`);
    }
    const id = this.#ids.get(name);
    if (id === undefined) throw new RangeError(`${name} is not a pooled kernel`);
    const a = this.#slots;
    this.parallelRuns.set(name, (this.parallelRuns.get(name) ?? 0) + 1);
    for (let slot = 1; slot < this.size; slot++) {
      const base = slot * SLOT_WORDS;
      const part = parts[slot];
      if (part === undefined) {
        a[base] = NO_PART;
        continue;
      }
      if (part.length > SLOT_WORDS - 4) throw new RangeError(`${name}: too many arguments`);
      a[base] = id;
      a[base + 1] = part.length;
      for (let i = 0; i < part.length; i++) a[base + 2 + i] = part[i];
    }
    this.#wake();
    let first: number;
    try {
      first = fn(...parts[0]) ?? 0;
    } finally {
      this.#join();
    }
    const results = [first];
    for (let slot = 1; slot < parts.length; slot++) {
      const base = slot * SLOT_WORDS;
      if (a[base + SLOT_WORDS - 2] !== 0) {
        throw new Error(`${name}: part ${slot} failed on its worker thread`);
      }
      results.push(a[base + SLOT_WORDS - 1]);
    }
    return results;
  }

  #wake(): void {
    const c = this.#control;
    Atomics.store(c, 1, 0);
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
  }

  #join(): void {
    const c = this.#control;
    const want = this.size - 1;
    for (let done = Atomics.load(c, 1); done < want; done = Atomics.load(c, 1)) {
      Atomics.wait(c, 1, done);
    }
  }

  async destroy(): Promise<void> {
    const a = this.#slots;
    for (let slot = 1; slot < this.size; slot++) a[slot * SLOT_WORDS] = EXIT;
    Atomics.add(this.#control, 0, 1);
    Atomics.notify(this.#control, 0);
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
  }
}

/**
 * The least work, in elements, worth a part of its own (~256 KiB of float32): below it a call
 * runs on the calling thread alone, since waking the pool costs more than it saves.
 */
export const MIN_PART_ELEMENTS = 65536;

/**
 * [start, end) ranges of `n` items over at most `threads` parts, each boundary a multiple of
 * `align` (SIMD and cache-line friendly), and no part under `minItems`, so small calls run on
 * one thread without the wake-up cost.
 */
export function split(n: number, threads: number, minItems: number, align = 1): [number, number][] {
  const parts = Math.max(1, Math.min(threads, Math.floor(n / Math.max(1, minItems))));
  const out: [number, number][] = [];
  let from = 0;
  for (let p = 1; p <= parts; p++) {
    let to = p === parts ? n : Math.round((n * p) / parts / align) * align;
    to = Math.min(n, Math.max(from, to));
    if (to > from) out.push([from, to]);
    from = to;
  }
  return out;
}

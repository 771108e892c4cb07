import { encodeModel, type GraphDef } from '../onnx/proto.js';
import type { NativeSession, Ort } from './binding.js';

/** How many graphs stay loaded; the least recently used is released beyond this. */
const MAX_SESSIONS = 48;

/**
 * ORT sessions built once per graph (a kernel, its shapes and its attributes) and reused:
 * building one costs milliseconds, a run of a cached one tens of microseconds. Each session has
 * its own intra-op thread pool of `threads`; spinning is off so an idle pool never competes
 * with the one running or with the JavaScript kernels between runs.
 */
export class SessionCache {
  readonly #sessions = new Map<string, NativeSession>();

  constructor(
    readonly ort: Ort,
    readonly threads: number,
  ) {}

  get(key: string, build: () => GraphDef): NativeSession {
    let s = this.#sessions.get(key);
    if (s !== undefined) {
      // Re-insert: Map iteration order is the recency order.
      this.#sessions.delete(key);
      this.#sessions.set(key, s);
      return s;
    }
    const model = encodeModel(build());
    s = new this.ort.Session();
    s.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    this.#sessions.set(key, s);
    if (this.#sessions.size > MAX_SESSIONS) {
      const [oldest, old] = this.#sessions.entries().next().value as [string, NativeSession];
      this.#sessions.delete(oldest);
      old.dispose();
    }
    return s;
  }

  get size(): number {
    return this.#sessions.size;
  }

  clear(): void {
    for (const s of this.#sessions.values()) s.dispose();
    this.#sessions.clear();
  }
}

import {
  createCpuBackendImpl,
  type KernelTable,
  resolveScale,
  type Scale,
  type Tensor,
} from '@saekit/core';
import type { Ort } from './ort/binding.js';
import { SessionCache } from './ort/sessions.js';
import type { OrtTensor } from './tensor.js';

/**
 * What every kernel of this backend receives: the typed arrays behind its (validated) tensors,
 * the ORT session cache, core's reference kernels for the kernels where plain loops are
 * already the fastest choice (they run on the same typed arrays), and grow-only scratch.
 */
export class OrtContext {
  readonly sessions: SessionCache;
  /** core's cpu kernels, over the same memory (OrtTensor has CpuTensor's `data`). */
  readonly reference: KernelTable = createCpuBackendImpl().kernels;
  readonly #f32 = new Map<string, Float32Array>();
  readonly #i32 = new Map<string, Int32Array>();
  readonly #i64 = new Map<string, BigInt64Array>();

  constructor(
    readonly ort: Ort,
    readonly threads: number,
  ) {
    this.sessions = new SessionCache(ort, threads);
  }

  f32(t: Tensor): Float32Array {
    return (t as OrtTensor).data as Float32Array;
  }

  i32(t: Tensor): Int32Array {
    return (t as OrtTensor).data as Int32Array;
  }

  scale(s: Scale): number {
    return resolveScale(s, (source, index) => ((source as OrtTensor).data as Float32Array)[index]);
  }

  scratchF32(slot: string, n: number): Float32Array {
    return grow(this.#f32, slot, n, (len) => new Float32Array(len));
  }

  scratchI32(slot: string, n: number): Int32Array {
    return grow(this.#i32, slot, n, (len) => new Int32Array(len));
  }

  scratchI64(slot: string, n: number): BigInt64Array {
    return grow(this.#i64, slot, n, (len) => new BigInt64Array(len));
  }

  destroy(): void {
    this.sessions.clear();
    this.#f32.clear();
    this.#i32.clear();
    this.#i64.clear();
  }
}

/** A scratch buffer of at least n elements, reused across calls (never shrinks). */
function grow<A extends { length: number }>(
  pool: Map<string, A>,
  slot: string,
  n: number,
  make: (len: number) => A,
): A {
  let buf = pool.get(slot);
  if (buf === undefined || buf.length < n) {
    buf = make(Math.max(n, buf === undefined ? 0 : buf.length * 2));
    pool.set(slot, buf);
  }
  return buf;
}

import { resolveScale, type Scale } from '../../backend/scale.js';
import { asMatrix, type HostArray, type Tensor } from '../../backend/tensor.js';
import { CpuTensor } from './tensor.js';

/**
 * What every cpu kernel receives: the memory behind its (already validated) tensors and
 * grow-only scratch buffers. Kernels run one at a time on one thread, so a single set of
 * scratch buffers is safe; each kernel asks for its buffers by slot so two buffers of one
 * kernel never overlap.
 */
export class CpuContext {
  readonly #f64 = new Map<string, Float64Array>();
  readonly #f32 = new Map<string, Float32Array>();
  readonly #i32 = new Map<string, Int32Array>();

  clear(): void {
    this.#f64.clear();
    this.#f32.clear();
    this.#i32.clear();
  }

  data(t: Tensor): HostArray {
    return (t as CpuTensor).data!;
  }

  f32(t: Tensor): Float32Array {
    return (t as CpuTensor).data as Float32Array;
  }

  i32(t: Tensor): Int32Array {
    return (t as CpuTensor).data as Int32Array;
  }

  /** Evaluates a Scale (scale.ts: 0 when the source is not > 0, then the optional clamp). */
  scale(s: Scale): number {
    return resolveScale(s, (source, index) => this.data(source)[index]);
  }

  scratchF64(slot: string, n: number): Float64Array {
    return grow(this.#f64, slot, n, (len) => new Float64Array(len));
  }

  scratchF32(slot: string, n: number): Float32Array {
    return grow(this.#f32, slot, n, (len) => new Float32Array(len));
  }

  scratchI32(slot: string, n: number): Int32Array {
    return grow(this.#i32, slot, n, (len) => new Int32Array(len));
  }
}

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

/** [rows, cols] of a tensor read as a matrix (a 1-D tensor is the row vector [1, n]). */
export function matrix(t: Tensor): [number, number] {
  return asMatrix(t);
}

export { CpuTensor };

import { resolveScale, type Scale } from '../../backend/scale.js';
import { asMatrix, type HostArray, type Tensor } from '../../backend/tensor.js';
import { ShapeError } from '../../errors.js';
import { CpuTensor } from './tensor.js';

/**
 * What every cpu kernel receives: checked access to tensor memory and grow-only scratch
 * buffers. Kernels run one at a time on one thread, so a single set of scratch buffers is safe;
 * each kernel asks for its buffers by slot so two buffers of one kernel never overlap.
 */
export class CpuContext {
  #destroyed = false;
  readonly #f64 = new Map<string, Float64Array>();
  readonly #f32 = new Map<string, Float32Array>();
  readonly #i32 = new Map<string, Int32Array>();

  destroy(): void {
    this.#destroyed = true;
    this.#f64.clear();
    this.#f32.clear();
    this.#i32.clear();
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** The tensor as a CpuTensor of this backend, or a ShapeError naming kernel and argument. */
  tensor(t: Tensor | undefined, kernel: string, arg: string): CpuTensor {
    if (this.#destroyed) throw new ShapeError(`${kernel}: the cpu backend has been destroyed`);
    if (!(t instanceof CpuTensor)) {
      const what = t === undefined || t === null ? String(t) : `a '${t.backend}' tensor`;
      throw new ShapeError(`${kernel}: ${arg} is ${what}, not a tensor of this cpu backend`);
    }
    if (t.owner !== this) {
      throw new ShapeError(`${kernel}: ${arg} belongs to another cpu backend instance`);
    }
    if (t.disposed) throw new ShapeError(`${kernel}: ${arg} has been disposed`);
    return t;
  }

  data(t: Tensor | undefined, kernel: string, arg: string): HostArray {
    return this.tensor(t, kernel, arg).data!;
  }

  f32(t: Tensor | undefined, kernel: string, arg: string): Float32Array {
    const c = this.tensor(t, kernel, arg);
    if (c.dtype !== 'float32')
      throw new ShapeError(`${kernel}: ${arg} must be float32, got ${c.dtype}`);
    return c.data as Float32Array;
  }

  i32(t: Tensor | undefined, kernel: string, arg: string): Int32Array {
    const c = this.tensor(t, kernel, arg);
    if (c.dtype !== 'int32')
      throw new ShapeError(`${kernel}: ${arg} must be int32, got ${c.dtype}`);
    return c.data as Int32Array;
  }

  /** Evaluates a Scale (scale.ts: 0 when the source is not > 0, then the optional clamp). */
  scale(s: Scale, kernel: string, arg: string): number {
    return resolveScale(s, (source, index) => {
      const src = this.data(source, kernel, `${arg}.source`);
      if (!Number.isInteger(index) || index < 0 || index >= src.length) {
        throw new ShapeError(
          `${kernel}: ${arg}.index ${index} is outside ${arg}.source of size ${src.length}`,
        );
      }
      return src[index];
    });
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

export function shapeError(kernel: string, message: string): ShapeError {
  return new ShapeError(`${kernel}: ${message}`);
}

/** [rows, cols] of a tensor read as a matrix (a 1-D tensor is the row vector [1, n]). */
export function matrix(t: Tensor): [number, number] {
  return asMatrix(t);
}

export function describe(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** Throws unless `t` has exactly `size` elements. */
export function expectSize(
  kernel: string,
  arg: string,
  t: Tensor,
  size: number,
  what: string,
): void {
  if (t.size !== size) {
    throw shapeError(kernel, `${arg} ${describe(t)} must have ${size} elements (${what})`);
  }
}

/** Throws unless `t` has shape [rows, cols] when read as a matrix. */
export function expectMatrix(
  kernel: string,
  arg: string,
  t: Tensor,
  rows: number,
  cols: number,
): void {
  const [r, c] = asMatrix(t);
  if (r !== rows || c !== cols) {
    throw shapeError(kernel, `${arg} ${describe(t)} must be [${rows}, ${cols}]`);
  }
}

/** Throws unless `index` is a valid element offset of `t`. */
export function expectOffset(kernel: string, arg: string, t: Tensor, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= t.size) {
    throw shapeError(kernel, `${arg} ${index} is outside a tensor of ${t.size} elements`);
  }
}

import { expect } from 'vitest';
import type { Backend } from '../backend/backend.js';
import type { DType, HostArray, Tensor } from '../backend/tensor.js';
import { createCpuBackend } from '../backends/cpu/index.js';
import { CaseRandom } from './random.js';
import { type Expected, mismatches, type Tolerance } from './tolerance.js';

/** One conformance check: an `it` block run against a fresh context. */
export interface ConformanceCase {
  readonly name: string;
  /** Only run when ConformanceOptions.large is set (allocates more than 128 MiB). */
  readonly large?: boolean;
  run(ctx: CaseContext): Promise<void>;
}

/** A kernel group: a `describe` block of cases (one file per group under testing/cases/). */
export interface ConformanceGroup {
  readonly name: string;
  readonly cases: readonly ConformanceCase[];
}

/**
 * What a case works with: the backend under test, seeded data, tensors that are disposed when
 * the case ends, and the suite's comparisons (which fail with a message naming the output, the
 * element and the bound).
 */
export class CaseContext {
  readonly random: CaseRandom;
  readonly #tensors: Tensor[] = [];
  #reference: Backend | undefined;

  readonly #others: Backend[] = [];

  constructor(
    readonly backend: Backend,
    readonly tolerance: Tolerance,
    seed: number,
    caseName: string,
    /** Makes another instance of the backend under test (for cross-instance checks). */
    readonly create?: () => Promise<Backend>,
  ) {
    this.random = new CaseRandom(seed, caseName);
  }

  /** A second instance of the backend under test, destroyed with the case; undefined if unknown. */
  async anotherBackend(): Promise<Backend | undefined> {
    if (this.create === undefined) return undefined;
    const b = await this.create();
    this.#others.push(b);
    return b;
  }

  /** A tensor on the backend under test, disposed at the end of the case. */
  tensor(shape: readonly number[], dtype: DType = 'float32', data?: HostArray): Tensor {
    const t = this.backend.create(shape, dtype, data);
    this.#tensors.push(t);
    return t;
  }

  /** A float32 tensor holding `data`. */
  f32(shape: readonly number[], data: Float32Array): Tensor {
    return this.tensor(shape, 'float32', data);
  }

  /** An int32 tensor holding `data`. */
  i32(shape: readonly number[], data: Int32Array): Tensor {
    return this.tensor(shape, 'int32', data);
  }

  async read(t: Tensor): Promise<Float32Array> {
    const data = await this.backend.read(t);
    expect(data, `read of a float32 tensor [${t.shape.join(', ')}]`).toBeInstanceOf(Float32Array);
    return data as Float32Array;
  }

  async readInt(t: Tensor): Promise<Int32Array> {
    const data = await this.backend.read(t);
    expect(data, `read of an int32 tensor [${t.shape.join(', ')}]`).toBeInstanceOf(Int32Array);
    return data as Int32Array;
  }

  /** Reads `t` and checks it against the oracle within the suite's tolerance. */
  async expectClose(label: string, t: Tensor, exp: Expected, tol = this.tolerance): Promise<void> {
    this.expectCloseHost(label, await this.read(t), exp, t.shape, tol);
  }

  /** Checks values already on the host (e.g. a few rows of a large tensor) against the oracle. */
  expectCloseHost(
    label: string,
    got: ArrayLike<number>,
    exp: Expected,
    shape: readonly number[] = [got.length],
    tol = this.tolerance,
  ): void {
    expect(got.length, `${label}: element count`).toBe(exp.ref.length);
    const bad = mismatches(got, exp, tol);
    if (bad.length === 0) return;
    const lines = bad
      .slice(0, 5)
      .map(
        (b) =>
          `  ${position(shape, b.index)}: got ${b.got}, want ${b.ref} ± ${b.allowed.toExponential(2)}`,
      );
    expect.fail(
      `${label}: ${bad.length} of ${got.length} elements outside |got − ref| ≤ atol + rtol·√terms·magnitude (atol ${tol.atol}, rtol ${tol.rtol})\n${lines.join('\n')}`,
    );
  }

  /** Reads `t` and requires every element to equal `want` exactly. */
  async expectExact(label: string, t: Tensor, want: ArrayLike<number>): Promise<void> {
    const got = t.dtype === 'int32' ? await this.readInt(t) : await this.read(t);
    this.expectExactHost(label, got, want, t.shape);
  }

  /** Requires host values to equal `want` exactly (NaN matches NaN). */
  expectExactHost(
    label: string,
    got: ArrayLike<number>,
    want: ArrayLike<number>,
    shape: readonly number[] = [got.length],
  ): void {
    expect(got.length, `${label}: element count`).toBe(want.length);
    const bad: string[] = [];
    for (let i = 0; i < want.length; i++) {
      if (got[i] !== want[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
        bad.push(`  ${position(shape, i)}: got ${got[i]}, want ${want[i]}`);
      }
    }
    if (bad.length > 0) {
      expect.fail(
        `${label}: ${bad.length} of ${got.length} elements differ\n${bad.slice(0, 5).join('\n')}`,
      );
    }
  }

  /**
   * The reference cpu backend, created on first use and destroyed when the case ends: for
   * cases that compare whole computations (a few training steps) with cpu rather than with
   * the oracle.
   */
  reference(): Backend {
    this.#reference ??= createCpuBackend();
    return this.#reference;
  }

  /**
   * Compares two host results of the same computation (e.g. this backend against the cpu
   * reference) under the tolerance rule, with magnitude |want| unless given and `terms` the
   * length of the longest reduction behind each element.
   */
  expectCloseTo(
    label: string,
    got: ArrayLike<number>,
    want: ArrayLike<number>,
    options: { terms: number; magnitude?: ArrayLike<number>; tolerance?: Tolerance },
  ): void {
    const ref = Float64Array.from(want);
    const magnitude = Float64Array.from(options.magnitude ?? want, Math.abs);
    this.expectCloseHost(
      label,
      got,
      { ref, magnitude, terms: options.terms },
      [got.length],
      options.tolerance,
    );
  }

  /** Disposes the case's tensors and destroys the reference backend if one was made. */
  async dispose(): Promise<void> {
    for (const t of this.#tensors.splice(0)) this.backend.dispose(t);
    const ref = this.#reference;
    this.#reference = undefined;
    await ref?.destroy();
    for (const b of this.#others.splice(0)) await b.destroy();
  }
}

/** "[row, col]" of a flat index in a tensor of this shape (or "[i]" for 1-D). */
function position(shape: readonly number[], index: number): string {
  if (shape.length < 2) return `[${index}]`;
  const cols = shape[shape.length - 1];
  return `[${Math.floor(index / cols)}, ${index % cols}]`;
}

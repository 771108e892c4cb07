import { KernelArgumentError } from '../errors.js';
import type { DeviceScale } from './scale.js';
import { asMatrix, type DType, type Tensor } from './tensor.js';

/** One declared argument of a kernel (positional), or a field of an options argument. */
export type ArgSpec =
  | {
      readonly kind: 'tensor';
      readonly name: string;
      /** 'any': float32 or int32, whichever the kernel's relations allow. */
      readonly dtype: DType | 'any';
      readonly optional?: true;
      /** The kernel writes this tensor (so it must not share memory with another argument). */
      readonly writes?: true;
    }
  | {
      readonly kind: 'number';
      readonly name: string;
      readonly integer?: true;
      readonly optional?: true;
    }
  | { readonly kind: 'flag'; readonly name: string }
  | { readonly kind: 'scale'; readonly name: string; readonly optional?: true }
  | { readonly kind: 'choice'; readonly name: string; readonly values: readonly string[] }
  | {
      readonly kind: 'options';
      readonly name: string;
      readonly optional?: true;
      readonly fields: readonly ArgSpec[];
    };

/** Whether a tensor handle can be used by the backend validating a call. */
export type TensorStatus = 'usable' | 'disposed' | 'foreign';

/**
 * The shape relations of one call, with one message format: every failure is a
 * KernelArgumentError whose message starts with "<kernel>: <argument>".
 */
export class ArgChecker {
  constructor(readonly kernel: string) {}

  fail(argument: string, message: string): never {
    throw new KernelArgumentError(this.kernel, argument, message);
  }

  /** Throws unless `t` has exactly `size` elements. */
  size(arg: string, t: Tensor, size: number, what: string): void {
    if (t.size !== size)
      this.fail(arg, `${arg} ${describe(t)} must have ${size} elements (${what})`);
  }

  /** Throws unless `t` read as a matrix is [rows, cols]. */
  matrix(arg: string, t: Tensor, rows: number, cols: number): void {
    const [r, c] = asMatrix(t);
    if (r !== rows || c !== cols)
      this.fail(arg, `${arg} ${describe(t)} must be [${rows}, ${cols}]`);
  }

  /** Throws unless `t` has `rows` rows read as a matrix. */
  rows(arg: string, t: Tensor, rows: number, like: string): void {
    if (asMatrix(t)[0] !== rows)
      this.fail(arg, `${arg} ${describe(t)} must have ${rows} rows ${like}`);
  }

  sameShape(arg: string, t: Tensor, otherArg: string, other: Tensor): void {
    const same =
      t.shape.length === other.shape.length && t.shape.every((s, i) => s === other.shape[i]);
    if (!same)
      this.fail(arg, `${arg} ${describe(t)} must have the shape of ${otherArg} ${describe(other)}`);
  }

  sameSize(arg: string, t: Tensor, otherArg: string, other: Tensor): void {
    if (t.size !== other.size) {
      this.fail(arg, `${arg} ${describe(t)} must have the size of ${otherArg} ${describe(other)}`);
    }
  }

  /** Throws unless `index` is a valid element offset of `t`. */
  offset(arg: string, t: Tensor, tensorArg: string, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= t.size) {
      this.fail(arg, `${arg} ${index} is outside ${tensorArg} of ${t.size} elements`);
    }
  }

  /** An int32 tensor only holds integers. */
  integerFor(arg: string, t: Tensor, value: number, what: string): void {
    if (t.dtype === 'int32' && !Number.isInteger(value)) {
      this.fail(arg, `${arg} ${value} must be an integer for an int32 ${what}`);
    }
  }
}

export function describe(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** What the generic pass needs to know about the backend a call is made on. */
export interface ValidationContext {
  readonly backend: string;
  status(t: Tensor): TensorStatus;
}

interface SeenTensor {
  readonly name: string;
  readonly tensor: Tensor;
  readonly writes: boolean;
}

const SEEN: SeenTensor[] = [];

/**
 * The checks every kernel shares, derived from its declaration: each tensor argument is a
 * live tensor of this backend with the declared dtype, numbers are finite (integers where
 * declared), choices are known, and no written tensor shares memory with another argument
 * unless the pair is declared in `mayAlias`.
 */
export function checkDeclaredArgs(
  check: ArgChecker,
  specs: readonly ArgSpec[],
  args: readonly unknown[],
  mayAlias: readonly (readonly [string, string])[],
  ctx: ValidationContext,
): void {
  // One list reused across calls (kernels are called one at a time): no garbage per call.
  const seen = SEEN;
  seen.length = 0;
  for (let i = 0; i < specs.length; i++)
    checkOne(check, specs[i], args[i], specs[i].name, ctx, seen);
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      const a = seen[i];
      const b = seen[j];
      if (a.tensor !== b.tensor || (!a.writes && !b.writes)) continue;
      const allowed = mayAlias.some(
        ([x, y]) => (x === a.name && y === b.name) || (x === b.name && y === a.name),
      );
      if (!allowed) {
        const [w, r] = a.writes ? [a, b] : [b, a];
        check.fail(w.name, `${w.name} must not alias ${r.name}`);
      }
    }
  }
}

function checkOne(
  check: ArgChecker,
  spec: ArgSpec,
  value: unknown,
  name: string,
  ctx: ValidationContext,
  seen: SeenTensor[],
): void {
  switch (spec.kind) {
    case 'tensor': {
      if (value === undefined && spec.optional) return;
      const t = usableTensor(check, name, value, ctx);
      if (spec.dtype !== 'any' && t.dtype !== spec.dtype) {
        check.fail(name, `${name} must be ${spec.dtype}, got ${t.dtype}`);
      }
      seen.push({ name, tensor: t, writes: spec.writes === true });
      return;
    }
    case 'number': {
      if (value === undefined && spec.optional) return;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        check.fail(name, `${name} ${String(value)} must be a finite number`);
      }
      if (spec.integer && !Number.isInteger(value))
        check.fail(name, `${name} ${value} must be an integer`);
      return;
    }
    case 'flag':
      if (value !== undefined && typeof value !== 'boolean') {
        check.fail(name, `${name} ${String(value)} must be true or false`);
      }
      return;
    case 'choice':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        check.fail(name, `${name} '${String(value)}' is not one of ${spec.values.join(', ')}`);
      }
      return;
    case 'scale': {
      if (value === undefined && spec.optional) return;
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) check.fail(name, `${name} ${value} must be finite`);
        return;
      }
      const s = value as DeviceScale | undefined;
      if (s === undefined || s === null || typeof s !== 'object') {
        check.fail(name, `${name} must be a number or a DeviceScale`);
      }
      const source = usableTensor(check, `${name}.source`, s.source, ctx);
      if (source.dtype !== 'float32')
        check.fail(`${name}.source`, `${name}.source must be float32, got ${source.dtype}`);
      check.offset(`${name}.index`, source, `${name}.source`, s.index);
      if (!Number.isFinite(s.numerator))
        check.fail(name, `${name}.numerator ${s.numerator} must be finite`);
      seen.push({ name: `${name}.source`, tensor: source, writes: false });
      return;
    }
    case 'options': {
      if (value === undefined && spec.optional) return;
      if (value === null || typeof value !== 'object')
        check.fail(name, `${name} must be an object`);
      const fields = value as Record<string, unknown>;
      for (const f of spec.fields) checkOne(check, f, fields[f.name], f.name, ctx, seen);
      return;
    }
  }
}

function usableTensor(
  check: ArgChecker,
  name: string,
  value: unknown,
  ctx: ValidationContext,
): Tensor {
  if (value === undefined || value === null || typeof value !== 'object' || !('shape' in value)) {
    check.fail(
      name,
      `${name} is ${value === undefined || value === null ? String(value) : 'not a tensor'}, not a tensor of this ${ctx.backend} backend`,
    );
  }
  const t = value as Tensor;
  const status = ctx.status(t);
  if (status === 'foreign') {
    check.fail(
      name,
      t.backend === ctx.backend
        ? `${name} belongs to another ${ctx.backend} backend instance`
        : `${name} is a '${t.backend}' tensor, not a tensor of this ${ctx.backend} backend`,
    );
  }
  if (status === 'disposed') check.fail(name, `${name} has been disposed`);
  return t;
}

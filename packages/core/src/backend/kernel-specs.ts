import type { KernelName, KernelSignatures } from './kernels.js';
import { REDUCE_OPS } from './kernels.js';
import { asMatrix } from './tensor.js';
import type { ArgChecker, ArgSpec } from './validate.js';

/**
 * A kernel declared as data: its positional arguments with dtypes, which written argument
 * may share memory with which input, and the shape relations between them. Core validates
 * every call from this once, with one message format, before the backend's implementation
 * runs (see define-backend.ts).
 */
export interface KernelSpec<K extends KernelName> {
  readonly name: K;
  readonly args: readonly ArgSpec[];
  /** Pairs of argument names that may be the same tensor (e.g. an in-place update). */
  readonly mayAlias?: readonly (readonly [string, string])[];
  /** The relations between shapes and numbers, run after every argument passed its declaration. */
  readonly relations: (check: ArgChecker, ...args: Parameters<KernelSignatures[K]>) => void;
}

const f32 = (name: string, writes = false, optional = false): ArgSpec => ({
  kind: 'tensor',
  name,
  dtype: 'float32',
  ...(writes ? { writes: true } : {}),
  ...(optional ? { optional: true } : {}),
});
const i32 = (name: string): ArgSpec => ({ kind: 'tensor', name, dtype: 'int32' });
const anyOut = (name: string): ArgSpec => ({ kind: 'tensor', name, dtype: 'any', writes: true });
const num = (name: string, integer = false, optional = false): ArgSpec => ({
  kind: 'number',
  name,
  ...(integer ? { integer: true } : {}),
  ...(optional ? { optional: true } : {}),
});

/** Checks shared by the sparse kernels: a code (values, indices) of shape [rows, k]. */
function sparseCode(
  check: ArgChecker,
  values: Parameters<KernelSignatures['gatherSum']>[1],
  indices: Parameters<KernelSignatures['gatherSum']>[2],
  rows: number,
  valuesArg = 'values',
): void {
  check.rows(valuesArg, values, rows, '');
  check.sameShape('indices', indices, valuesArg, values);
}

export const KERNEL_SPECS: { readonly [K in KernelName]: KernelSpec<K> } = {
  fill: {
    name: 'fill',
    args: [anyOut('out'), num('value')],
    relations: (check, out, value) => check.integerFor('value', out, value, 'tensor'),
  },
  copy: {
    name: 'copy',
    args: [anyOut('out'), { kind: 'tensor', name: 'src', dtype: 'any' }],
    relations: (check, out, src) => {
      if (out.dtype !== src.dtype) check.fail('src', `out is ${out.dtype} but src is ${src.dtype}`);
      if (out.size !== src.size) {
        check.fail(
          'src',
          `out [${out.shape.join(', ')}] and src [${src.shape.join(', ')}] differ in size`,
        );
      }
    },
  },
  matmul: {
    name: 'matmul',
    args: [
      f32('out', true),
      f32('a'),
      f32('b'),
      {
        kind: 'options',
        name: 'options',
        optional: true,
        fields: [
          { kind: 'flag', name: 'transA' },
          { kind: 'flag', name: 'transB' },
          f32('bias', false, true),
          num('alpha', false, true),
          { kind: 'flag', name: 'accumulate' },
        ],
      },
    ],
    relations: (check, out, a, b, options = {}) => {
      const [ar, ac] = asMatrix(a);
      const [br, bc] = asMatrix(b);
      const tA = options.transA === true;
      const tB = options.transB === true;
      const [M, D] = tA ? [ac, ar] : [ar, ac];
      const [D2, N] = tB ? [bc, br] : [br, bc];
      if (D !== D2) {
        check.fail(
          'b',
          `inner dimensions differ: op(a) is [${M}, ${D}] (a [${a.shape.join(', ')}]${tA ? 'ᵀ' : ''}), op(b) is [${D2}, ${N}] (b [${b.shape.join(', ')}]${tB ? 'ᵀ' : ''})`,
        );
      }
      check.matrix('out', out, M, N);
      if (options.bias !== undefined) check.size('bias', options.bias, N, 'one per output column');
    },
  },
  topk: {
    name: 'topk',
    args: [
      f32('values', true),
      { kind: 'tensor', name: 'indices', dtype: 'int32', writes: true },
      f32('scores'),
      { kind: 'tensor', name: 'mask', dtype: 'any', optional: true },
    ],
    relations: (check, values, indices, scores, mask) => {
      const [B, m] = asMatrix(scores);
      check.rows('values', values, B, `like scores [${scores.shape.join(', ')}]`);
      check.sameShape('indices', indices, 'values', values);
      if (mask !== undefined) check.size('mask', mask, m, 'one per column of scores');
    },
  },
  kthLargest: {
    name: 'kthLargest',
    args: [f32('out', true), num('offset', true), f32('x'), num('n', true)],
    relations: (check, out, offset, x, n) => {
      check.offset('offset', out, 'out', offset);
      if (n < 1 || n > x.size) {
        check.fail('n', `n ${n} must be an integer in [1, ${x.size}] (x has ${x.size} elements)`);
      }
    },
  },
  gatherSum: {
    name: 'gatherSum',
    args: [
      f32('out', true),
      f32('values'),
      i32('indices'),
      f32('weight'),
      f32('bias', false, true),
    ],
    relations: (check, out, values, indices, weight, bias) => {
      const [, d] = asMatrix(weight);
      const [B] = asMatrix(out);
      check.matrix('out', out, B, d);
      sparseCode(check, values, indices, B);
      if (bias !== undefined) check.size('bias', bias, d, 'one per column of weight');
    },
  },
  gatherDot: {
    name: 'gatherDot',
    args: [f32('out', true), f32('x'), i32('indices'), f32('weight')],
    relations: (check, out, x, indices, weight) => {
      const [, d] = asMatrix(weight);
      const [B] = asMatrix(x);
      check.matrix('x', x, B, d);
      sparseCode(check, out, indices, B, 'out');
    },
  },
  scatterOuterAdd: {
    name: 'scatterOuterAdd',
    args: [f32('weight', true), i32('indices'), f32('values'), f32('x')],
    relations: (check, weight, indices, values, x) => {
      const [, d] = asMatrix(weight);
      const [B] = asMatrix(values);
      check.matrix('x', x, B, d);
      sparseCode(check, values, indices, B);
    },
  },
  scatterAdd: {
    name: 'scatterAdd',
    args: [f32('out', true), i32('indices'), f32('values')],
    relations: (check, out, indices, values) => {
      if (out.shape.length !== 1) check.fail('out', `out [${out.shape.join(', ')}] must be 1-D`);
      check.sameShape('indices', indices, 'values', values);
    },
  },
  columnSums: {
    name: 'columnSums',
    args: [f32('out', true), f32('x'), { kind: 'flag', name: 'accumulate' }],
    relations: (check, out, x) => check.size('out', out, asMatrix(x)[1], 'one per column of x'),
  },
  reduce: {
    name: 'reduce',
    args: [
      f32('out', true),
      num('offset', true),
      f32('x'),
      { kind: 'choice', name: 'op', values: REDUCE_OPS },
      { kind: 'flag', name: 'accumulate' },
    ],
    relations: (check, out, offset) => check.offset('offset', out, 'out', offset),
  },
  axpby: {
    name: 'axpby',
    args: [
      f32('out', true),
      { kind: 'scale', name: 'a' },
      f32('x'),
      { kind: 'scale', name: 'b' },
      f32('y'),
    ],
    mayAlias: [
      ['out', 'x'],
      ['out', 'y'],
    ],
    relations: (check, out, _a, x, _b, y) => {
      check.sameSize('out', out, 'x', x);
      const cols = asMatrix(x)[1];
      if (y.size !== x.size && !(y.size === cols && y.size < x.size)) {
        check.fail(
          'y',
          `y [${y.shape.join(', ')}] must have the size of x [${x.shape.join(', ')}] or of one of its rows (${cols})`,
        );
      }
    },
  },
  maskPositive: {
    name: 'maskPositive',
    args: [f32('out', true), f32('grad'), f32('ref')],
    mayAlias: [
      ['out', 'grad'],
      ['out', 'ref'],
    ],
    relations: (check, out, grad, ref) => {
      check.sameSize('grad', grad, 'out', out);
      check.sameSize('ref', ref, 'out', out);
    },
  },
  greaterThan: {
    name: 'greaterThan',
    args: [anyOut('out'), f32('x'), num('threshold')],
    relations: (check, out, x) => check.sameSize('out', out, 'x', x),
  },
  thresholdRelu: {
    name: 'thresholdRelu',
    args: [f32('out', true), f32('x'), f32('threshold'), num('index', true, true)],
    mayAlias: [['out', 'x']],
    relations: (check, out, x, threshold, index) => {
      check.sameSize('out', out, 'x', x);
      if (index !== undefined) check.offset('index', threshold, 'threshold', index);
      else check.size('threshold', threshold, asMatrix(x)[1], 'one per column of x');
    },
  },
  exp: {
    name: 'exp',
    args: [f32('out', true), f32('x')],
    mayAlias: [['out', 'x']],
    relations: (check, out, x) => check.sameSize('x', x, 'out', out),
  },
  staleCounter: {
    name: 'staleCounter',
    args: [anyOut('counter'), { kind: 'tensor', name: 'fired', dtype: 'any' }, num('increment')],
    relations: (check, counter, fired, increment) => {
      check.sameSize('fired', fired, 'counter', counter);
      check.integerFor('increment', counter, increment, 'counter');
    },
  },
  adam: {
    name: 'adam',
    args: [
      f32('param', true),
      f32('grad'),
      f32('m', true),
      f32('v', true),
      {
        kind: 'options',
        name: 'options',
        fields: [
          num('lr'),
          num('beta1'),
          num('beta2'),
          num('eps'),
          num('step', true),
          { kind: 'scale', name: 'gradScale', optional: true },
        ],
      },
    ],
    relations: (check, param, grad, m, v, options) => {
      for (const [arg, t] of [
        ['grad', grad],
        ['m', m],
        ['v', v],
      ] as const) {
        check.sameSize(arg, t, 'param', param);
      }
      if (options.step < 1) check.fail('step', `step ${options.step} must be an integer ≥ 1`);
    },
  },
  normalizeRows: {
    name: 'normalizeRows',
    args: [f32('weight', true)],
    relations: () => {},
  },
  removeParallel: {
    name: 'removeParallel',
    args: [f32('grad', true), f32('weight')],
    relations: (check, grad, weight) => {
      const [m, d] = asMatrix(grad);
      check.matrix('weight', weight, m, d);
    },
  },
};

/** The names of every kernel, in declaration order (registries, timers, the conformance suite). */
export const KERNEL_NAMES = Object.keys(KERNEL_SPECS) as readonly KernelName[];

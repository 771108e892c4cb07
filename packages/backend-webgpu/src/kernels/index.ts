import type { ContextKernels } from '@saekit/core';
import type { GpuRuntime } from '../runtime.js';
import { adam } from './adam.js';
import { axpby } from './axpby.js';
import { columnSums } from './column-sums.js';
import { copy } from './copy.js';
import { exp } from './exp.js';
import { fill } from './fill.js';
import { gatherDot } from './gather-dot.js';
import { gatherSum } from './gather-sum.js';
import { greaterThan } from './greater-than.js';
import { kthLargest } from './kth-largest.js';
import { maskPositive } from './mask-positive.js';
import { matmul } from './matmul.js';
import { normalizeRows } from './normalize-rows.js';
import { reduce } from './reduce.js';
import { removeParallel } from './remove-parallel.js';
import { scatterAdd } from './scatter-add.js';
import { scatterOuterAdd } from './scatter-outer-add.js';
import { staleCounter } from './stale-counter.js';
import { thresholdRelu } from './threshold-relu.js';
import { topk } from './topk.js';

export { maxTopk } from './topk.js';

/** The kernel registry: one module per kernel of the @saekit/core contract. */
export const WEBGPU_KERNELS: ContextKernels<GpuRuntime> = {
  fill,
  copy,
  matmul,
  topk,
  kthLargest,
  gatherSum,
  gatherDot,
  scatterOuterAdd,
  scatterAdd,
  columnSums,
  reduce,
  axpby,
  maskPositive,
  greaterThan,
  thresholdRelu,
  exp,
  staleCounter,
  adam,
  normalizeRows,
  removeParallel,
};

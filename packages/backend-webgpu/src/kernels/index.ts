import type { ContextKernels } from '@saekit/core';
import type { GpuRuntime } from '../runtime.js';
import { adam } from './adam.js';
import { axpby } from './axpby.js';
import { columnSums } from './columnSums.js';
import { copy } from './copy.js';
import { fill } from './fill.js';
import { gatherDot } from './gatherDot.js';
import { gatherSum } from './gatherSum.js';
import { greaterThan } from './greaterThan.js';
import { kthLargest } from './kthLargest.js';
import { maskPositive } from './maskPositive.js';
import { matmul } from './matmul.js';
import { normalizeRows } from './normalizeRows.js';
import { reduce } from './reduce.js';
import { removeParallel } from './removeParallel.js';
import { scatterAdd } from './scatterAdd.js';
import { scatterOuterAdd } from './scatterOuterAdd.js';
import { staleCounter } from './staleCounter.js';
import { thresholdRelu } from './thresholdRelu.js';
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
  staleCounter,
  adam,
  normalizeRows,
  removeParallel,
};

import type { ContextKernels, KernelName, KernelSignatures } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { adam } from './adam.js';
import { axpby } from './axpby.js';
import { gatherDot } from './gather-dot.js';
import { gatherSum } from './gather-sum.js';
import { matmul } from './matmul.js';
import { normalizeRows } from './normalize-rows.js';
import { reduce } from './reduce.js';
import { removeParallel } from './remove-parallel.js';
import { scatterOuterAdd } from './scatter-outer-add.js';
import { topk } from './topk.js';

/** A kernel where core's reference loop is already the fastest option measured (README). */
function reference<K extends KernelName>(name: K) {
  return (ctx: OrtContext, ...args: Parameters<KernelSignatures[K]>): void => {
    (ctx.reference[name] as (...a: Parameters<KernelSignatures[K]>) => void)(...args);
  };
}

/** The backend's kernel registry: its own kernels (one file each) and the reused ones. */
export const ORT_KERNELS: ContextKernels<OrtContext> = {
  fill: reference('fill'),
  copy: reference('copy'),
  matmul,
  topk,
  kthLargest: reference('kthLargest'),
  gatherSum,
  gatherDot,
  scatterOuterAdd,
  scatterAdd: reference('scatterAdd'),
  columnSums: reference('columnSums'),
  reduce,
  axpby,
  maskPositive: reference('maskPositive'),
  greaterThan: reference('greaterThan'),
  thresholdRelu: reference('thresholdRelu'),
  staleCounter: reference('staleCounter'),
  adam,
  normalizeRows,
  removeParallel,
};

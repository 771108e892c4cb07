// The backend's kernel registry: one file per kernel of its own, the rest from core's reference
// kernels (reference.ts), bound to an OrtContext by bindKernels.
export { adam } from './adam.js';
export { axpby } from './axpby.js';
export { columnSums } from './column-sums.js';
export { exp } from './exp.js';
export { fill } from './fill.js';
export { gatherDot } from './gather-dot.js';
export { gatherSum } from './gather-sum.js';
export { maskPositive } from './mask-positive.js';
export { matmul } from './matmul.js';
export { normalizeRows } from './normalize-rows.js';
export { reduce } from './reduce.js';
export { copy, greaterThan, kthLargest, staleCounter, thresholdRelu } from './reference.js';
export { removeParallel } from './remove-parallel.js';
export { scatterAdd } from './scatter-add.js';
export { scatterOuterAdd } from './scatter-outer-add.js';
export { topk } from './topk.js';

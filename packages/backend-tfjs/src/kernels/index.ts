// The tfjs backend's kernel registry: one file per kernel. tfjs's engine is global state, so
// kernels take no context: they run on whichever tfjs backend is active (see backend.ts).
export { adam } from './adam.js';
export { axpby } from './axpby.js';
export { columnSums } from './column-sums.js';
export { copy } from './copy.js';
export { exp } from './exp.js';
export { fill } from './fill.js';
export { gatherDot } from './gather-dot.js';
export { gatherSum } from './gather-sum.js';
export { greaterThan } from './greater-than.js';
export { kthLargest } from './kth-largest.js';
export { maskPositive } from './mask-positive.js';
export { matmul } from './matmul.js';
export { normalizeRows } from './normalize-rows.js';
export { reduce } from './reduce.js';
export { removeParallel } from './remove-parallel.js';
export { scatterAdd } from './scatter-add.js';
export { scatterOuterAdd } from './scatter-outer-add.js';
export { staleCounter } from './stale-counter.js';
export { thresholdRelu } from './threshold-relu.js';
export { topk } from './topk.js';

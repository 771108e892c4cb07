import { asMatrix, type ReduceOp, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { MIN_PART_ELEMENTS, split } from '../pool/thread-pool.js';

/** Rows per block of the centred sum: each block's partial is added in block order. */
const BLOCK_ROWS = 64;

/**
 * out[offset] (+)= Σ x or Σ x² (kernels.c's blocked SIMD sum: float32 within 512-element
 * blocks spread over the pool, float64 across them, added in block order), or the centred sum
 * of squares: two float64 passes (column
 * means, then squared deviations) over fixed blocks of 64 rows spread over the pool, whose
 * partials are added in block order, so the result is the same on any thread count.
 */
export function reduce(
  ctx: OrtContext,
  out: Tensor,
  offset: number,
  x: Tensor,
  op: ReduceOp,
  accumulate = false,
): void {
  const total = op === 'sumSquaresCentered' ? centered(ctx, x) : plain(ctx, x, op);
  const o = ctx.f32(out);
  o[offset] = accumulate ? o[offset] + total : total;
}

/** Elements per block of the plain sums (kernels.c's reduce_blocks). */
const BLOCK = 512;

function plain(ctx: OrtContext, x: Tensor, op: 'sum' | 'sumSquares'): number {
  const n = x.size;
  const blocks = Math.ceil(n / BLOCK);
  if (blocks === 0) return 0;
  const partPtr = ctx.heapScratch('reduce.blockSums', blocks * 8);
  const xp = ctx.ptr(x);
  const squares = op === 'sumSquares' ? 1 : 0;
  ctx.pool.run(
    'reduce_blocks',
    split(blocks, ctx.threads, MIN_PART_ELEMENTS / BLOCK).map(([b, e]) => [
      xp + b * BLOCK * 4,
      Math.min(n, e * BLOCK) - b * BLOCK,
      squares,
      partPtr + b * 8,
    ]),
  );
  const parts = new Float64Array(ctx.heap.memory.buffer, partPtr, blocks);
  let total = 0;
  for (let b = 0; b < blocks; b++) total += parts[b];
  return total;
}

/**
 * Σ_r x[r, c] for each column, in float64: column sums of fixed blocks of BLOCK_ROWS rows,
 * spread over the pool, then added in block order (so any thread count gives the same sums).
 * The result is a view of heap scratch, valid until the next call.
 */
export function blockColumnSums(ctx: OrtContext, x: Tensor, R: number, C: number): Float64Array {
  const blocks = Math.ceil(R / BLOCK_ROWS);
  // Every block is taken before any view: a later allocation may grow the heap.
  const sumsPtr = ctx.heapScratch('reduce.columnSums', Math.max(1, blocks * C) * 8);
  const totalPtr = ctx.heapScratch('reduce.columnTotals', Math.max(1, C) * 8);
  const xp = ctx.ptr(x);
  ctx.pool.run(
    'column_sums_f64',
    blockRanges(ctx, blocks, C).map(([b, e]) => [
      ...blockRows(xp, b, e, R, C),
      sumsPtr + b * C * 8,
    ]),
  );
  const sums = new Float64Array(ctx.heap.memory.buffer, sumsPtr, blocks * C);
  const total = new Float64Array(ctx.heap.memory.buffer, totalPtr, C);
  total.fill(0);
  for (let b = 0; b < blocks; b++) for (let c = 0; c < C; c++) total[c] += sums[b * C + c];
  return total;
}

/** Ranges of row blocks, one per thread that gets at least MIN_PART_ELEMENTS of work. */
function blockRanges(ctx: OrtContext, blocks: number, C: number): [number, number][] {
  return split(blocks, ctx.threads, Math.ceil(MIN_PART_ELEMENTS / (BLOCK_ROWS * C)));
}

/** The kernel arguments (x at the block's first row, its rows, C, BLOCK_ROWS) of blocks [b, e). */
function blockRows(xp: number, b: number, e: number, R: number, C: number): number[] {
  const r0 = b * BLOCK_ROWS;
  return [xp + r0 * C * 4, Math.min(R, e * BLOCK_ROWS) - r0, C, BLOCK_ROWS];
}

function centered(ctx: OrtContext, x: Tensor): number {
  const [R, C] = asMatrix(x);
  if (R === 0 || C === 0) return 0;
  const blocks = Math.ceil(R / BLOCK_ROWS);
  const meanPtr = ctx.heapScratch('reduce.mean', C * 8);
  const partPtr = ctx.heapScratch('reduce.partials', blocks * 8);
  const sums = blockColumnSums(ctx, x, R, C);
  const mean = new Float64Array(ctx.heap.memory.buffer, meanPtr, C);
  for (let c = 0; c < C; c++) mean[c] = sums[c] / R;
  const xp = ctx.ptr(x);
  ctx.pool.run(
    'centered_squares_f64',
    blockRanges(ctx, blocks, C).map(([b, e]) => [
      ...blockRows(xp, b, e, R, C),
      meanPtr,
      partPtr + b * 8,
    ]),
  );
  const parts = new Float64Array(ctx.heap.memory.buffer, partPtr, blocks);
  let total = 0;
  for (let b = 0; b < blocks; b++) total += parts[b];
  return total;
}

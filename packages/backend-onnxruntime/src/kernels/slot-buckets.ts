import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * Weights of at least this many bytes are walked row by row (slots bucketed by weight row)
 * rather than slot by slot: past a core's share of the last-level cache, a slot walk fetches
 * a weight row from memory once per slot (k · B times a step), a row walk once.
 */
export const ROW_WALK_WEIGHT_BYTES = 8 << 20;

/** Slots bucketed by weight row: `order[start[r]..start[r+1])` lists row r's slots. */
export interface SlotBuckets {
  /** Heap offsets of `start` (m + 1 words) and `order` (one word per slot). */
  startPtr: number;
  orderPtr: number;
  /** A view of `start`, valid until the heap next grows. */
  start: Int32Array;
}

/**
 * Buckets the slots of `indices` by the weight row they name (a counting sort in kernels.c,
 * slot order within a row; empty slots, index < 0, in no bucket).
 */
export function bucketSlots(ctx: OrtContext, indices: Tensor, m: number): SlotBuckets {
  const n = indices.size;
  // Every block is taken before any view: a later allocation may grow (and detach) the heap.
  const startPtr = ctx.heapScratch('buckets.start', (m + 1) * 4);
  const orderPtr = ctx.heapScratch('buckets.order', Math.max(1, n) * 4);
  const fillPtr = ctx.heapScratch('buckets.fill', Math.max(1, m) * 4);
  ctx.wasm.bucket_rows(ctx.ptr(indices), n, m, startPtr, orderPtr, fillPtr);
  return { startPtr, orderPtr, start: ctx.i32At(startPtr, m + 1) };
}

/**
 * Row ranges [r, e) of the weight, `parts` of them, holding about equal numbers of slots
 * (start is the bucket prefix sum): each thread then handles as many slots as the others.
 */
export function slotBalancedRows(start: Int32Array, m: number, parts: number): [number, number][] {
  const total = start[m];
  const out: [number, number][] = [];
  let from = 0;
  for (let p = 1; p <= parts && from < m; p++) {
    let to = m;
    if (p < parts) {
      // The first row whose prefix reaches this part's share.
      const want = (total * p) / parts;
      let lo = from;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (start[mid] < want) lo = mid + 1;
        else hi = mid;
      }
      to = lo;
    }
    if (to > from) out.push([from, to]);
    from = to;
  }
  return out;
}

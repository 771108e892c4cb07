// kernels.c's bounded top-k path, called directly on one thread so that its return value (the
// rows scanned without a bound) shows which path ran: the conformance suite checks
// results only, and the fallback would hide a wrong bound or a dropped candidate there.
import { Rng } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { Heap } from '../src/heap.js';
import { instantiateKernels } from '../src/wasm.js';

/** The k largest of each row, ties to the lower column, by sorting. */
function reference(s: Float32Array, B: number, m: number, k: number): [number[], number[]] {
  const vals: number[] = [];
  const idx: number[] = [];
  for (let b = 0; b < B; b++) {
    const order = Array.from({ length: m }, (_, c) => c).sort(
      (x, y) => s[b * m + y] - s[b * m + x] || x - y,
    );
    for (const c of order.slice(0, k)) {
      vals.push(s[b * m + c]);
      idx.push(c);
    }
  }
  return [vals, idx];
}

function topkRows(s: Float32Array, B: number, m: number, k: number) {
  const heap = new Heap();
  const wasm = instantiateKernels(heap.memory);
  const [sp, vp, ip, hv, hi, cand] = [B * m, B * k, B * k, k, k, m].map((n) => heap.alloc(n * 4));
  new Float32Array(heap.memory.buffer, sp, B * m).set(s);
  const scanned = wasm.topk_rows(vp, ip, sp, B, m, k, hv, hi, cand);
  return {
    scanned,
    vals: Array.from(new Float32Array(heap.memory.buffer, vp, B * k)),
    idx: Array.from(new Int32Array(heap.memory.buffer, ip, B * k)),
  };
}

describe('bounded top-k (strip maxima, then candidates)', () => {
  it('matches a sort on rows full of ties, negatives and ±0, without falling back', () => {
    const rng = new Rng(7);
    const [B, k] = [24, 32];
    const m = k * 16 + 13; // strips of 16, a tail past the last strip and the last 16-block
    const s = new Float32Array(B * m);
    for (let j = 0; j < s.length; j++) s[j] = Math.round(rng.normal() * 2) / 2; // 9-ish levels
    for (let j = 0; j < m; j++) s[3 * m + j] = -1 - (j % 5); // an all-negative row
    for (let j = 0; j < m; j++) s[4 * m + j] = j % 2 === 0 ? 0 : -0; // ±0 only: every column ties
    const got = topkRows(s, B, m, k);
    const [vals, idx] = reference(s, B, m, k);
    expect(got.idx).toEqual(idx);
    expect(got.vals).toEqual(vals);
    expect(got.scanned).toBe(0);
  });

  it('keeps every column equal to the bound: exactly k columns reach it', () => {
    // Each of the k strips holds one 1 (its maximum), so the bound is 1 and exactly k columns
    // are at or above it: a strict comparison would list none and fall back.
    const [k, len] = [32, 20];
    const m = k * len + 7;
    const s = new Float32Array(m).fill(0.5);
    for (let j = 0; j < k; j++) s[j * len + ((j * 7) % len)] = 1;
    const got = topkRows(s, 1, m, k);
    expect(got.scanned).toBe(0);
    expect(got.vals).toEqual(new Array(k).fill(1));
    expect(got.idx).toEqual(Array.from({ length: k }, (_, j) => j * len + ((j * 7) % len)));
  });

  it('finds a top value in the columns past the last strip', () => {
    const [k, len] = [16, 32];
    const m = k * len + 3;
    const rng = new Rng(3);
    const s = Float32Array.from({ length: m }, () => rng.normal());
    s[m - 1] = 100; // past every strip and past the last whole 16-column block
    s[m - 3] = 50;
    const got = topkRows(s, 1, m, k);
    expect(got.scanned).toBe(0);
    expect(got.idx.slice(0, 2)).toEqual([m - 1, m - 3]);
    const [, idx] = reference(s, 1, m, k);
    expect(got.idx).toEqual(idx);
  });

  it('scans rows with fewer than 16 columns per slot without a bound', () => {
    const rng = new Rng(5);
    const [B, k, m] = [3, 8, 8 * 16 - 1];
    const s = Float32Array.from({ length: B * m }, () => rng.normal());
    const got = topkRows(s, B, m, k);
    expect(got.scanned).toBe(B);
    expect(got.idx).toEqual(reference(s, B, m, k)[1]);
    expect(topkRows(s.subarray(0, 8 * 16), 1, 8 * 16, k).scanned).toBe(0);
  });
});

import type { CaseContext, ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';
import type { CaseRandom } from '../random.js';
import { checkTopk } from './selection.js';

/**
 * Selection on the shapes a real SAE gives a device: rows wider than every backend's per-row
 * threshold (a GPU backend switches from a per-row scan to a radix select above 1024 columns,
 * and again by k), BatchTopK's selection over a whole [B, cap] batch, and the awkward values
 * that separate a correct selection from a nearly correct one: ties exactly at the k-th value
 * (more of them than are needed, and exactly as many), masks that leave fewer candidates than
 * k, constant rows, and rows of −0, +0 and subnormals. Results are compared exactly (see
 * tolerance.ts), so a tie slot off by one or a mask ignored in one pass fails.
 */

const WIDTHS = [1025, 4096, 16384] as const;
/** k = 1; a ragged k a per-row scan keeps in registers; a ragged k past a row scan's reach. */
const KS = [1, 17, 200] as const;

/** The smallest positive subnormal, a middle one, the largest, and the smallest normal. */
const TINY = [2 ** -149, 2 ** -140, 2 ** -126 - 2 ** -149, 2 ** -126] as const;

/**
 * Values below every "high" value and above every "low" one: `need` of the `count` copies of
 * the tie value T = 2 are selected, after k − need distinct values above it.
 */
function tieRow(r: CaseRandom, m: number, k: number, need: number, count: number): Float32Array {
  const row = r.uniform(m, -4, 1.5);
  const cols = r.rng.shuffle(Array.from({ length: m }, (_, i) => i));
  let at = 0;
  for (let j = 0; j < k - need; j++) row[cols[at++]] = 3 + j / 64;
  for (let j = 0; j < count; j++) row[cols[at++]] = 2;
  return row;
}

/** A row of ±0, ±subnormals and a few positive and negative normals (≥ k + 8 of them ≥ 0). */
function zeroRow(r: CaseRandom, m: number, k: number): Float32Array {
  const values = [0, -0, ...TINY, ...TINY.map((v) => -v)];
  const row = Float32Array.from({ length: m }, () => values[r.rng.int(values.length)]);
  // A few normals above and below, so the k-th value falls among the zeros and subnormals.
  for (let j = 0; j < Math.max(0, k - 3); j++) row[r.rng.int(m)] = 1 + r.rng.uniform();
  for (let j = 0; j < 16; j++) row[r.rng.int(m)] = -1 - r.rng.uniform();
  return row;
}

/** Rows of every kind, stacked into one [rows, m] score matrix for a single topk call. */
function wideRows(r: CaseRandom, m: number, k: number): { rows: number; scores: Float32Array } {
  // Ties at the k-th value that cross many 64-column chunks: 3·need copies spread over the row.
  const need = Math.max(1, Math.min(k, Math.ceil(k * 0.75)));
  const kinds = [
    r.normal(m),
    tieRow(r, m, k, need, 3 * need + 2), // more copies of the k-th value than are needed
    tieRow(r, m, k, need, need), // exactly as many as are needed
    r.integers(m, -3, 4), // ties at every value
    new Float32Array(m).fill(0.75), // a constant row
    zeroRow(r, m, k),
    r.uniform(m, -9, -1), // all negative
  ];
  const scores = new Float32Array(kinds.length * m);
  for (const [i, row] of kinds.entries()) scores.set(row, i * m);
  return { rows: kinds.length, scores };
}

/**
 * A mask of `ones` candidates whose masked-out columns hold the row's largest values and
 * copies of the candidates' k-th value, so a pass that forgets the mask selects them.
 */
function baitedMask(
  r: CaseRandom,
  rows: number,
  m: number,
  ones: number,
): { scores: Float32Array; mask: Float32Array } {
  const mask = r.mask(m, ones);
  const scores = new Float32Array(rows * m);
  for (let b = 0; b < rows; b++) {
    const base = b * m;
    // Candidates: ties at their k-th value on every other row.
    for (let c = 0; c < m; c++) scores[base + c] = b % 2 === 0 ? r.rng.normal() : r.rng.int(5);
    for (let c = 0; c < m; c++) {
      if (mask[c] !== 0) continue;
      const u = r.rng.uniform();
      scores[base + c] = u < 0.3 ? 50 + u : u < 0.6 ? 4 : u < 0.8 ? 2 : -0;
    }
  }
  return { scores, mask };
}

/** The data BatchTopK's batch-wide threshold is found in, each with the n it asks for. */
function batchData(r: CaseRandom): [string, Float32Array, number[]][] {
  const big = 65_539; // [1024, 64] plus 3: many workgroups' worth, not a multiple of any tile
  const tied = r.normal(big);
  // 5000 copies of 2.5, more than 40 values above it: n inside, at the start and at the end.
  for (let j = 0; j < 5000; j++) tied[r.rng.int(big)] = 2.5;
  const countAbove = tied.reduce((a, v) => a + (v > 2.5 ? 1 : 0), 0);
  const countEqual = tied.reduce((a, v) => a + (v === 2.5 ? 1 : 0), 0);
  const relu = Float32Array.from(r.normal(big), (v) => (v > 1 ? v : v > 0.5 ? 0 : -0));
  const zeros = zeroRow(r, 70_001, 40);
  const tail = r.uniform(4_200_007, -1, 1);
  tail.set([3, 2.5, 2, 1.5], tail.length - 4);
  return [
    ['65 539 normals', r.normal(big), [1, 2, 1024 * 32, big - 1, big]],
    [
      '65 539 normals with 5 000 ties at the n-th',
      tied,
      [
        countAbove,
        countAbove + 1,
        countAbove + 2500,
        countAbove + countEqual,
        countAbove + countEqual + 1,
      ],
    ],
    ['post-ReLU [1024, 64]: most values ±0', relu, [1, 1024 * 8, 1024 * 40, big]],
    ['±0 and subnormals', zeros, [1, 30, 40, 41, 35_000, 70_001]],
    ['a constant tensor', new Float32Array(65_537).fill(-1.25), [1, 30_000, 65_537]],
    // More elements than 1024 workgroups of 256 invocations cover in one sweep, with the
    // largest at the very end, where a sweep that stops early would miss them.
    ['4 200 007 uniforms, the largest last', tail, [1, 4, 5000]],
  ];
}

export const wideSelectionCases: ConformanceGroup = {
  name: 'selection: wide rows and batch-wide selection',
  cases: [
    ...WIDTHS.map((m) => ({
      name: `topk over ${m} columns: ties at the k-th value, constant, ±0 and subnormal rows`,
      async run(ctx: CaseContext) {
        for (const k of KS) {
          const { rows, scores } = wideRows(ctx.random, m, k);
          await checkTopk(ctx, `m=${m} k=${k}`, rows, m, k, scores);
        }
      },
    })),
    ...WIDTHS.map((m) => ({
      name: `masked topk over ${m} columns: masked columns hold the largest values`,
      async run(ctx: CaseContext) {
        for (const k of KS) {
          for (const ones of [k + 40, Math.max(1, k >> 2)]) {
            const rows = 4;
            const { scores, mask } = baitedMask(ctx.random, rows, m, ones);
            await checkTopk(ctx, `m=${m} k=${k}, ${ones} candidates`, rows, m, k, scores, mask);
          }
        }
        await checkTopk(
          ctx,
          `m=${m}, no candidates`,
          2,
          m,
          200,
          ctx.random.normal(2 * m),
          new Float32Array(m),
        );
      },
    })),
    {
      name: 'kthLargest over a [1024, 64] batch and larger: ties at the n-th, ±0, subnormals',
      async run(ctx) {
        for (const [label, data, ns] of batchData(ctx.random)) {
          const x = ctx.f32([data.length], data);
          const sorted = Float64Array.from(data).sort();
          for (const n of ns) {
            const out = ctx.f32([2], Float32Array.from([7, 9]));
            ctx.backend.kthLargest(out, 1, x, n);
            await ctx.expectExact(`${label}, n = ${n}`, out, [7, sorted[data.length - n]]);
          }
        }
      },
    },
    {
      name: 'BatchTopK selection: per-row top cap, then the batch threshold, then thresholdRelu',
      async run(ctx) {
        // The trainer's sequence (graph.ts): topk(pre, cap), kthLargest(vals, B·k),
        // thresholdRelu(vals, vals, thr). Ties at the threshold span rows.
        const [B, m, cap, k] = [48, 4096, 64, 16];
        const r = ctx.random;
        const pre = new Float32Array(B * m);
        for (let b = 0; b < B; b++) {
          const row = b % 3 === 0 ? zeroRow(r, m, cap) : tieRow(r, m, cap, 20, 50);
          pre.set(row, b * m);
        }
        const vals = ctx.f32([B, cap], new Float32Array(B * cap));
        const idx = ctx.i32([B, cap], new Int32Array(B * cap));
        ctx.backend.topk(vals, idx, ctx.f32([B, m], pre));
        const top = oracle.topk({ data: pre, rows: B, cols: m }, cap);
        await ctx.expectExact('topk indices', idx, top.indices);
        const thr = ctx.f32([1], new Float32Array(1));
        ctx.backend.kthLargest(thr, 0, vals, B * k);
        const want = oracle.kthLargest(top.values, B * k);
        await ctx.expectExact('batch threshold', thr, [want]);
        ctx.backend.thresholdRelu(vals, vals, thr, 0);
        await ctx.expectExact('kept values', vals, oracle.thresholdRelu(top.values, cap, want));
      },
    },
  ],
};

// Quick checks of every kernel against a float64 host reference, on shapes that are not
// multiples of the tile sizes. The full contract is checked by conformance.test.ts.
import { type HostArray, Rng, type Tensor } from '@saekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebGpuBackend, type WebGpuBackend } from '../src/index.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();
const rng = new Rng(7);

function randn(n: number): Float32Array {
  return rng.fillNormal(new Float32Array(n));
}

function expectClose(got: HostArray, want: ArrayLike<number>, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i] - want[i]) > tol * scale) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]} (scale ${scale})`);
    }
  }
}

function refMatmul(
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += (transA ? a[k * M + i] : a[i * K + k]) * (transB ? b[j * K + k] : b[k * N + j]);
      }
      c[i * N + j] = s;
    }
  }
  return c;
}

describe.skipIf(probe.skip)(`webgpu kernels (${probe.reason})`, () => {
  let be: WebGpuBackend;
  const t = (shape: number[], data?: HostArray, dtype: 'float32' | 'int32' = 'float32'): Tensor =>
    be.create(shape, data instanceof Int32Array ? 'int32' : dtype, data);

  beforeAll(async () => {
    be = await createWebGpuBackend();
  });
  afterAll(async () => {
    await be?.destroy();
  });

  it.each([
    [70, 33, 45, false, false],
    [70, 33, 44, false, true],
    [17, 130, 9, true, false],
    [5, 6, 7, true, true],
    [1, 64, 128, false, true],
  ])(
    'matmul M=%i N=%i K=%i transA=%s transB=%s with bias, alpha, accumulate',
    async (M, N, K, ta, tb) => {
      const a = randn(M * K);
      const b = randn(K * N);
      const bias = randn(N);
      const init = randn(M * N);
      const out = t([M, N], init);
      be.matmul(out, t(ta ? [K, M] : [M, K], a), t(tb ? [N, K] : [K, N], b), {
        transA: ta,
        transB: tb,
        bias: t([N], bias),
        alpha: 0.5,
        accumulate: true,
      });
      const ref = refMatmul(a, b, M, N, K, ta, tb).map((v, i) => 0.5 * v + bias[i % N] + init[i]);
      expectClose(await be.read(out), ref);
    },
  );

  it('topk: descending, ties to the lower index, mask, fill when too few candidates', async () => {
    const B = 5;
    const m = 1000;
    const k = 37;
    const s = randn(B * m);
    for (let c = 0; c < m; c += 3) s[2 * m + c] = 1.5; // row 2: many ties at the top
    // row 4: ties exactly at the k-th value: k − 5 values above 9 early in the row, then 40
    // copies of 9 of which the 5 lowest columns must win (a scan that lets a later equal value
    // displace the k-th keeps the last copy instead).
    for (let c = 0; c < m; c++) s[4 * m + c] = Math.min(s[4 * m + c], 8);
    for (let j = 0; j < k - 5; j++) s[4 * m + 1 + 3 * j] = 10 + j;
    for (let j = 0; j < 40; j++) s[4 * m + 100 + 23 * j] = 9;
    for (let c = 0; c < m; c++) s[3 * m + c] = Math.round(s[3 * m + c] * 2); // row 3: coarse ties
    const mask = new Float32Array(m);
    for (let c = 0; c < m; c += 41) mask[c] = 1; // 25 candidates < k
    for (const useMask of [false, true]) {
      const vals = t([B, k]);
      const idx = t([B, k], undefined, 'int32');
      be.topk(vals, idx, t([B, m], s), useMask ? t([m], mask) : undefined);
      const gv = await be.read(vals);
      const gi = await be.read(idx);
      for (let b = 0; b < B; b++) {
        const cols = [...Array(m).keys()].filter((c) => !useMask || mask[c] !== 0);
        cols.sort((x, y) => s[b * m + y] - s[b * m + x] || x - y);
        for (let j = 0; j < k; j++) {
          const want = j < cols.length ? cols[j] : -1;
          expect(gi[b * k + j], `row ${b} slot ${j} mask=${useMask}`).toBe(want);
          const got = gv[b * k + j];
          // == rather than Object.is: a −0 score may come back as +0 or −0.
          expect(got === (want < 0 ? 0 : s[b * m + want]), `row ${b} slot ${j} value ${got}`).toBe(
            true,
          );
        }
      }
    }
  });

  it('topk with k = m and k = 1', async () => {
    const m = 300;
    const s = randn(2 * m);
    for (const k of [1, m]) {
      const vals = t([2, k]);
      const idx = t([2, k], undefined, 'int32');
      be.topk(vals, idx, t([2, m], s));
      const gi = await be.read(idx);
      for (let b = 0; b < 2; b++) {
        const cols = [...Array(m).keys()].sort((x, y) => s[b * m + y] - s[b * m + x] || x - y);
        expect([...gi.subarray(b * k, b * k + k)]).toEqual(cols.slice(0, k));
      }
    }
  });

  it('kthLargest over a whole tensor', async () => {
    const x = randn(50_001);
    x[10] = x[20] = x[30] = 3; // ties
    const sorted = [...x].sort((a, b) => b - a);
    const out = t([4]);
    for (const [off, n] of [
      [0, 1],
      [1, 2],
      [2, 777],
      [3, 50_001],
    ])
      be.kthLargest(out, off, t([x.length], x), n);
    expect([...(await be.read(out))]).toEqual([sorted[0], sorted[1], sorted[776], sorted[50_000]]);
  });

  it('gatherSum, gatherDot, scatterOuterAdd, scatterAdd with empty slots and duplicates', async () => {
    const B = 9;
    const k = 5;
    const m = 13;
    const d = 300;
    const w = randn(m * d);
    const x = randn(B * d);
    const v = randn(B * k);
    const ix = Int32Array.from({ length: B * k }, (_, i) => (i % 7 === 3 ? -1 : rng.int(4))); // many duplicates
    const bias = randn(d);
    const W = t([m, d], w);
    const I = t([B, k], ix);
    const V = t([B, k], v);
    const X = t([B, d], x);

    const ys = t([B, d]);
    be.gatherSum(ys, V, I, W, t([d], bias));
    const dots = t([B, k]);
    be.gatherDot(dots, X, I, W);
    const W2 = t([m, d], w);
    be.scatterOuterAdd(W2, I, V, X);
    const sa = t([m], new Float32Array(m).fill(1));
    be.scatterAdd(sa, I, V);

    const refY = new Float64Array(B * d);
    const refDots = new Float64Array(B * k);
    const refW = Float64Array.from(w);
    const refSa = new Float64Array(m).fill(1);
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < d; c++) refY[b * d + c] = bias[c];
      for (let j = 0; j < k; j++) {
        const i = ix[b * k + j];
        if (i < 0) continue;
        refSa[i] += v[b * k + j];
        for (let c = 0; c < d; c++) {
          refY[b * d + c] += v[b * k + j] * w[i * d + c];
          refDots[b * k + j] += x[b * d + c] * w[i * d + c];
          refW[i * d + c] += v[b * k + j] * x[b * d + c];
        }
      }
    }
    expectClose(await be.read(ys), refY);
    expectClose(await be.read(dots), refDots);
    expectClose(await be.read(W2), refW);
    expectClose(await be.read(sa), refSa);
  });

  it('columnSums and reduce', async () => {
    const R = 301;
    const C = 77;
    const x = randn(R * C).map((v) => v + 3);
    const X = t([R, C], x);
    const cs = t([C], new Float32Array(C).fill(2));
    be.columnSums(cs, X, true);
    const red = t([3], new Float32Array([1, 1, 1]));
    be.reduce(red, 0, X, 'sum', true);
    be.reduce(red, 1, X, 'sumSquares');
    be.reduce(red, 2, X, 'sumSquaresCentered');
    const refCs = new Float64Array(C).fill(2);
    let sum = 1;
    let sq = 0;
    for (let i = 0; i < x.length; i++) {
      refCs[i % C] += x[i];
      sum += x[i];
      sq += x[i] * x[i];
    }
    let centred = 0;
    for (let i = 0; i < x.length; i++) centred += (x[i] - (refCs[i % C] - 2) / R) ** 2;
    expectClose(await be.read(cs), refCs);
    expectClose(await be.read(red), [sum, sq, centred]);
  });

  it('axpby: broadcast, aliasing, device scales', async () => {
    const R = 33;
    const C = 10;
    const x = randn(R * C);
    const y = randn(C);
    const src = t([3], new Float32Array([4, 0, 9]));
    const X = t([R, C], x);
    be.axpby(X, { numerator: 2, source: src, index: 0, sqrt: true }, X, -0.5, t([C], y));
    expectClose(
      await be.read(X),
      Array.from(x, (v, i) => v - 0.5 * y[i % C]),
    );
    const Z = t([C], y);
    be.axpby(
      Z,
      { numerator: 1, source: src, index: 1 },
      Z,
      { numerator: 90, source: src, index: 2, max: 3 },
      Z,
    );
    expectClose(
      await be.read(Z),
      Array.from(y, (v) => 3 * v),
    );
  });

  it('elementwise: maskPositive (aliased), greaterThan, thresholdRelu, staleCounter', async () => {
    const n = 1000;
    const g = randn(n);
    const r = randn(n);
    const G = t([n], g);
    be.maskPositive(G, G, t([n], r));
    expectClose(
      await be.read(G),
      Array.from(g, (v, i) => (r[i] > 0 ? v : 0)),
    );
    const gt = t([n]);
    be.greaterThan(gt, t([n], r), 0.25);
    expectClose(
      await be.read(gt),
      Array.from(r, (v) => (v > 0.25 ? 1 : 0)),
    );
    const cols = 10;
    const th = Float32Array.from({ length: cols }, (_, i) => i / 10 - 0.2);
    const R = t([n / cols, cols], r);
    be.thresholdRelu(R, R, t([cols], th));
    expectClose(
      await be.read(R),
      Array.from(r, (v, i) => (v >= th[i % cols] && v > 0 ? v : 0)),
    );
    const R2 = t([n], r);
    be.thresholdRelu(R2, R2, t([cols], th), 9);
    expectClose(
      await be.read(R2),
      Array.from(r, (v) => (v >= th[9] && v > 0 ? v : 0)),
    );
    const c0 = Int32Array.from({ length: n }, (_, i) => i);
    const C = t([n], c0);
    be.staleCounter(C, gt, 5);
    expect([...(await be.read(C))]).toEqual(Array.from(c0, (v, i) => (r[i] > 0.25 ? 0 : v + 5)));
  });

  it('adam, normalizeRows, removeParallel', async () => {
    const rows = 7;
    const cols = 300;
    const p = randn(rows * cols);
    const g = randn(rows * cols);
    const m0 = randn(rows * cols);
    const v0 = randn(rows * cols).map(Math.abs);
    const P = t([rows, cols], p);
    const M = t([rows, cols], m0);
    const V = t([rows, cols], v0);
    const o = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 3 };
    be.adam(P, t([rows, cols], g), M, V, { ...o, gradScale: 0.5 });
    const refP = p.map((pv, i) => {
      const gi = 0.5 * g[i];
      const mi = 0.9 * m0[i] + 0.1 * gi;
      const vi = 0.999 * v0[i] + 0.001 * gi * gi;
      return pv - (o.lr * (mi / (1 - 0.9 ** 3))) / (Math.sqrt(vi / (1 - 0.999 ** 3)) + o.eps);
    });
    expectClose(await be.read(P), refP);

    const W = t([rows, cols], p);
    be.normalizeRows(W);
    const wn = await be.read(W);
    const Gt = t([rows, cols], g);
    be.removeParallel(Gt, W);
    const gp = await be.read(Gt);
    // g − ⟨g, w⟩w from the unit rows the device produced: zeroing g, or subtracting twice,
    // would still leave rows orthogonal to w, so the values themselves are compared.
    const refG = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let nn = 0;
      let dot = 0;
      for (let c = 0; c < cols; c++) {
        nn += wn[r * cols + c] ** 2;
        dot += g[r * cols + c] * wn[r * cols + c];
      }
      expect(nn).toBeCloseTo(1, 5);
      for (let c = 0; c < cols; c++) {
        refG[r * cols + c] = g[r * cols + c] - dot * wn[r * cols + c];
      }
    }
    expectClose(gp, refG);
  });

  it('fill, copy, write after queued work, and a tensor over maxBufferSize is a ShapeError', async () => {
    const a = t([5]);
    be.fill(a, 2.5);
    const b = t([5]);
    be.copy(b, a);
    be.write(a, new Float32Array([1, 2, 3, 4, 5]));
    expect([...(await be.read(b))]).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    expect([...(await be.read(a))]).toEqual([1, 2, 3, 4, 5]);
    const i = t([3], undefined, 'int32');
    be.fill(i, -1);
    expect([...(await be.read(i))]).toEqual([-1, -1, -1]);
    // Over the binding limit is fine (bound as windows); over the buffer limit is not.
    const limit = be.device.limits.maxBufferSize;
    expect(() => be.create([Math.ceil(limit / 4) + 1])).toThrow(
      /exceeds the webgpu backend.s maxTensorBytes/,
    );
  });
});

describe.skipIf(probe.skip)(`webgpu gatherDot lane groups (${probe.reason})`, () => {
  // The 'gpu' set reduces each pair's lanes with subgroup shuffles where the adapter offers
  // subgroups (llvmpipe does) and through workgroup memory otherwise: both, d with and
  // without vec4 loads, against a float64 reference.
  it.each([true, false])('subgroups %s', async (subgroups) => {
    const be = await createWebGpuBackend({ kernels: 'gpu', subgroups });
    try {
      for (const d of [300, 64, 5]) {
        const B = 37;
        const k = 7;
        const m = 11;
        const w = randn(m * d);
        const x = randn(B * d);
        const ix = Int32Array.from({ length: B * k }, (_, i) => (i % 5 === 2 ? -1 : rng.int(m)));
        const out = be.create([B, k]);
        be.gatherDot(
          out,
          be.create([B, d], 'float32', x),
          be.create([B, k], 'int32', ix),
          be.create([m, d], 'float32', w),
        );
        const ref = new Float64Array(B * k);
        for (let p = 0; p < B * k; p++) {
          const i = ix[p];
          if (i < 0) continue;
          const b = Math.floor(p / k);
          for (let c = 0; c < d; c++) ref[p] += x[b * d + c] * w[i * d + c];
        }
        expectClose(await be.read(out), ref);
      }
      expect(be.kernelPaths().get('gatherDot:lanes')).toBe(3);
    } finally {
      await be.destroy();
    }
  });
});

describe.skipIf(probe.skip)(`webgpu two-pass top-k, gpu kernel set (${probe.reason})`, () => {
  it('selects exactly from the candidate bin, and redoes rows whose bin overflows', async () => {
    const be = await createWebGpuBackend({ kernels: 'gpu' });
    try {
      const m = 4096;
      const rows: Float32Array[] = [
        randn(m), // a narrow bin: candidates fit in workgroup memory
        Float32Array.from(randn(m), (v) => Math.round(v * 2)), // ~600 ties at the k-th value
        new Float32Array(m).fill(0.75), // every column in one bin: overflows to the radix select
        Float32Array.from(randn(m), (v) => 1 + Math.abs(v) * 1e-3), // all in [1, 1.25): overflows
      ];
      const B = rows.length;
      const s = new Float32Array(B * m);
      rows.forEach((r, b) => s.set(r, b * m));
      const mask = new Float32Array(m);
      for (let c = 0; c < m; c += 3) mask[c] = 1;
      for (const k of [32, 200]) {
        for (const useMask of [false, true]) {
          const vals = be.create([B, k], 'float32', new Float32Array(B * k).fill(7));
          const idx = be.create([B, k], 'int32', new Int32Array(B * k).fill(-5));
          be.topk(
            vals,
            idx,
            be.create([B, m], 'float32', s),
            useMask ? be.create([m], 'float32', mask) : undefined,
          );
          const gv = await be.read(vals);
          const gi = await be.read(idx);
          for (let b = 0; b < B; b++) {
            const cols = [...Array(m).keys()].filter((c) => !useMask || mask[c] !== 0);
            cols.sort((x, y) => s[b * m + y] - s[b * m + x] || x - y);
            const want = cols.slice(0, k);
            expect([...gi.subarray(b * k, (b + 1) * k)], `row ${b} k ${k} mask ${useMask}`).toEqual(
              want,
            );
            expect([...gv.subarray(b * k, (b + 1) * k)]).toEqual(want.map((c) => s[b * m + c]));
          }
        }
      }
      const paths = be.kernelPaths();
      expect(paths.get('topk:two-pass')).toBeGreaterThan(0);
      expect(paths.get('topk:overflow')).toBeGreaterThan(0);
      expect(paths.get('topk:radix')).toBeUndefined();
    } finally {
      await be.destroy();
    }
  });
});

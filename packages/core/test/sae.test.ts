import {
  createCpuBackend,
  evaluateSae,
  Rng,
  Sae,
  type SaeWeights,
  ShapeError,
  SyntheticActivations,
  Trainer,
} from '@saekit/core';
import { referenceLoss } from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';

const d = 16;
const m = 64;

function syntheticBatches(n: number, rows: number, scale: number, seed = 2): Float32Array[] {
  const data = new SyntheticActivations({ dIn: d, nFeatures: 40, batchSize: rows, seed });
  return Array.from({ length: n }, () => data.batch().map((v) => v * scale));
}

/** Host float64 forward of a threshold SAE: pre, the active set and x̂. */
function hostThresholdForward(w: SaeWeights, x: Float32Array, rows: number) {
  const act = (v: number, i: number) => {
    if (w.architecture === 'standard') return Math.max(v, 0);
    return v >= w.threshold![i] && v > 0 ? v : 0;
  };
  const z = new Float64Array(rows * w.dSae);
  const xhat = new Float64Array(rows * w.dIn);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < w.dSae; i++) {
      let s = w.bEnc[i];
      for (let c = 0; c < w.dIn; c++) {
        const xin = x[r * w.dIn + c] - (w.applyBDecToInput ? w.bDec[c] : 0);
        s += xin * w.wEnc[i * w.dIn + c];
      }
      z[r * w.dSae + i] = act(s, i);
    }
    for (let c = 0; c < w.dIn; c++) {
      let s = w.bDec[c];
      for (let i = 0; i < w.dSae; i++) s += z[r * w.dSae + i] * w.wDec[i * w.dIn + c];
      xhat[r * w.dIn + c] = s;
    }
  }
  return { z, xhat };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, label: string) {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i]), `${label}[${i}]`).toBeLessThanOrEqual(rel * scale + 1e-7);
  }
}

describe('Sae: exported weights run on raw activations', () => {
  it('Top-K: the input scale is folded back (x̂_raw = x̂_train / s, codes / s)', async () => {
    const backend = createCpuBackend();
    const batches = syntheticBatches(12, 64, 25);
    const trainer = await Trainer.create(backend, {
      dIn: d,
      dSae: m,
      k: 4,
      batchSize: 64,
      steps: 12,
      seed: 1,
      initTokens: 128,
    });
    for (const b of batches) await trainer.step(b);
    const s = trainer.inputScale;
    expect(s).toBeGreaterThan(0.01);
    expect(s).toBeLessThan(0.1); // the data was scaled up 25×
    const state = await trainer.saveState();
    const weights = await trainer.exportWeights();
    expect(weights.foldedInputScale).toBe(s);

    // Host reference in training units on s·x.
    const x = batches[0];
    const rows = 64;
    const f64 = (key: string) => Float64Array.from(state.arrays[key]);
    const xs = Float64Array.from(x, (v) => v * s);
    const ref = referenceLoss(
      { wEnc: f64('wEnc'), bEnc: f64('bEnc'), wDec: f64('wDec'), bDec: f64('bDec') },
      { x: xs, rows, dIn: d, dSae: m, k: 4, kAux: 1, alpha: 0, dead: new Array(m).fill(false) },
    );
    const want = Float64Array.from(xs, (v, i) => (v - ref.residual[i]) / s);

    const sae = Sae.fromWeights(backend, weights);
    const got = await sae.reconstructHost(x);
    expectClose(got, want, 1e-5, 'x̂');
    const code = await sae.encodeHost(x);
    expect(code.width).toBe(4);
    for (let r = 0; r < rows; r++) {
      const active = Array.from(code.indices.subarray(r * 4, r * 4 + 4)).filter((i) => i >= 0);
      expect(active.sort((a, b) => a - b)).toEqual([...ref.active[r]].sort((a, b) => a - b));
    }
    // Round trip through toWeights is lossless.
    const again = await sae.toWeights();
    expect(Array.from(again.bEnc)).toEqual(Array.from(weights.bEnc));
    trainer.dispose();
    sae.dispose();
  });

  it('BatchTopK: trained threshold gives about k actives per token at inference', async () => {
    const backend = createCpuBackend();
    const all = syntheticBatches(154, 128, 3);
    const batches = all.slice(0, 150);
    const trainer = await Trainer.create(backend, {
      dIn: d,
      dSae: m,
      k: 4,
      batchSize: 128,
      steps: 150,
      seed: 1,
      architecture: 'batchtopk',
      lr: 5e-3,
    });
    async function* src() {
      for (const b of batches) yield b;
    }
    const summary = await trainer.train(src());
    expect(summary.last!.threshold).toBeGreaterThan(0);
    const weights = await trainer.exportWeights();
    expect(weights.architecture).toBe('batchtopk');
    expect(weights.threshold!.every((t) => t === weights.threshold![0])).toBe(true);
    expect(weights.threshold![0]).toBeCloseTo(summary.last!.threshold! / trainer.inputScale, 5);
    const sae = Sae.fromWeights(backend, weights, { maxActive: m });
    const ev = await evaluateSae(backend, sae, all.slice(150));
    expect(ev.l0).toBeGreaterThan(2);
    expect(ev.l0).toBeLessThan(8);
    // Held-out tokens with θ reconstruct about as well as training did with the batch top-k.
    expect(ev.fvu).toBeLessThan(summary.last!.fvu + 0.1);
    // Inference keeps exactly the latents at or above θ.
    const x = batches[0].subarray(0, 8 * d);
    const host = hostThresholdForward(weights, x, 8);
    const code = await sae.encodeHost(x, 8);
    for (let r = 0; r < 8; r++) {
      const want = [];
      for (let i = 0; i < m; i++) if (host.z[r * m + i] > 0) want.push(i);
      const got = Array.from(code.indices.subarray(r * m, (r + 1) * m)).filter((i) => i >= 0);
      expect(got.sort((a, b) => a - b)).toEqual(want);
    }
    trainer.dispose();
  });
});

describe('Sae: run-only architectures match a float64 host forward', () => {
  const rng = new Rng(4);
  const rand = (n: number, std: number, shift = 0) =>
    Float32Array.from({ length: n }, () => shift + std * rng.normal());
  for (const architecture of ['jumprelu', 'standard'] as const) {
    it(architecture, async () => {
      const backend = createCpuBackend();
      const w: SaeWeights = {
        architecture,
        dIn: d,
        dSae: m,
        wEnc: rand(m * d, 0.3),
        wDec: rand(m * d, 0.3),
        bEnc: rand(m, 0.2, -0.3),
        bDec: rand(d, 0.5),
        ...(architecture === 'jumprelu' ? { threshold: rand(m, 0.1, 0.3).map(Math.abs) } : {}),
        applyBDecToInput: architecture !== 'jumprelu',
      };
      const rows = 9;
      const x = rand(rows * d, 1);
      const host = hostThresholdForward(w, x, rows);
      const sae = Sae.fromWeights(backend, w);
      expect(sae.width).toBe(m);
      expectClose(await sae.reconstructHost(x), host.xhat, 1e-5, 'x̂');
      const code = await sae.encodeHost(x);
      let actives = 0;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < m; j++) {
          const i = code.indices[r * m + j];
          if (i < 0) continue;
          actives++;
          expect(code.values[r * m + j]).toBeCloseTo(host.z[r * m + i], 5);
        }
      }
      expect(actives).toBe(host.z.filter((v) => v > 0).length);
      expect(actives).toBeGreaterThan(rows);
      sae.dispose();
    });
  }
});

describe('Sae and evaluateSae: validation and metrics', () => {
  const backend = createCpuBackend();
  const ok: SaeWeights = {
    architecture: 'topk',
    dIn: 4,
    dSae: 6,
    k: 2,
    wEnc: new Float32Array(24),
    wDec: new Float32Array(24),
    bEnc: new Float32Array(6),
    bDec: new Float32Array(4),
    applyBDecToInput: true,
  };

  it('bad weights and inputs → typed errors naming the tensor', () => {
    expect(() => Sae.fromWeights(backend, { ...ok, wDec: new Float32Array(23) })).toThrow(
      /'wDec' has 23 values, expected 24/,
    );
    expect(() => Sae.fromWeights(backend, { ...ok, k: 7 })).toThrow(ShapeError);
    expect(() => Sae.fromWeights(backend, { ...ok, architecture: 'jumprelu' })).toThrow(
      /needs 'threshold'/,
    );
    const nan = new Float32Array(24);
    nan[9] = Number.NaN;
    expect(() => Sae.fromWeights(backend, { ...ok, wEnc: nan })).toThrow(/'wEnc'.*row 2/);
    const sae = Sae.fromWeights(backend, ok);
    expect(() => sae.encode(backend.create([3, 5]))).toThrow(/\[B, dIn = 4\]/);
  });

  it('evaluateSae reports fvu, l0, dead and dense fractions and the firing histogram', async () => {
    // Latent i reads coordinate i % 4 with weight 1; x has one hot coordinate per row.
    const wEnc = new Float32Array(24);
    for (let i = 0; i < 4; i++) wEnc[i * 4 + i] = 1;
    const w: SaeWeights = { ...ok, k: 1, wEnc, wDec: wEnc.slice() };
    const sae = Sae.fromWeights(backend, w);
    const rows = 40;
    const x = new Float32Array(rows * 4);
    // Coordinate 0 on 30 rows, 1 on 9 rows, 2 on 1 row, 3 never.
    for (let r = 0; r < rows; r++) x[r * 4 + (r < 30 ? 0 : r < 39 ? 1 : 2)] = 2;
    const ev = await evaluateSae(backend, sae, [x.subarray(0, 80), x.subarray(80)]);
    expect(ev.tokens).toBe(40);
    expect(ev.fvu).toBeCloseTo(0, 6);
    expect(ev.l0).toBeCloseTo(1, 6);
    expect(ev.deadFraction).toBeCloseTo(3 / 6, 6); // latents 3, 4, 5
    expect(ev.denseFraction).toBeCloseTo(2 / 6, 6); // 30/40 and 9/40 > 0.1
    expect(ev.log10Frequency[0]).toBeCloseTo(Math.log10(0.75), 5);
    expect(ev.log10Frequency[2]).toBeCloseTo(Math.log10(1 / 40), 5);
    expect(ev.firingHistogram.dead).toBe(3);
    expect(ev.firingHistogram.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(ev.firingHistogram.edges.at(-1)).toBeGreaterThanOrEqual(0);
    // A decoder that drops everything explains nothing: fvu ≈ 1 relative to the mean.
    const zero = Sae.fromWeights(backend, { ...w, wDec: new Float32Array(24) });
    const ev0 = await evaluateSae(backend, zero, [x]);
    let mean = [0, 0, 0, 0];
    for (let r = 0; r < rows; r++) mean = mean.map((v, c) => v + x[r * 4 + c] / rows);
    let ss = 0;
    let var_ = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < 4; c++) {
        ss += x[r * 4 + c] ** 2;
        var_ += (x[r * 4 + c] - mean[c]) ** 2;
      }
    }
    expect(ev0.fvu).toBeCloseTo(ss / var_, 4);
  });
});

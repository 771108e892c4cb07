import { createCpuBackend, Rng, resolveTrainConfig } from '@saekit/core';
import {
  centralDifferenceGradients,
  type ReferenceParams,
  referenceLoss,
} from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';
import { M, TrainGraph } from '../src/train/graph.js';

const rows = 6;
const d = 7;
const m = 14;
const k = 3;
const kAux = 4;
const alpha = 1 / 32;

/** Random float32 parameters (so float32 device and float64 reference see the same numbers). */
function randomProblem(seed: number) {
  const rng = new Rng(seed);
  const f32 = (n: number, std: number, shift = 0) =>
    Float32Array.from({ length: n }, () => shift + std * rng.normal());
  return {
    wEnc: f32(m * d, 0.5),
    bEnc: f32(m, 0.3, 0.2),
    wDec: f32(m * d, 0.5),
    bDec: f32(d, 0.3),
    x: f32(rows * d, 1),
  };
}

const f64 = (a: Float32Array) => Float64Array.from(a);

describe('trainer gradients: FVU + AuxK against float64 central differences', () => {
  // matryoshka: BatchTopK whose loss sums the FVUs of the prefixes [0, 4), [0, 9), [0, m).
  const widths = [4, 9, m];
  const runs = [
    { seed: 1, arch: 'topk' },
    { seed: 2, arch: 'topk' },
    { seed: 3, arch: 'topk' },
    { seed: 4, arch: 'batchtopk' },
    { seed: 5, arch: 'batchtopk' },
    { seed: 6, arch: 'matryoshka' },
    { seed: 7, arch: 'matryoshka' },
  ] as const;
  for (const { seed, arch } of runs) {
    const batchtopk = arch !== 'topk';
    const matryoshka = arch === 'matryoshka';
    it(`${arch}, seed ${seed}: every parameter, incl. W_enc and b_enc through AuxK`, async () => {
      const cap = batchtopk ? 2 * k : undefined;
      const p = randomProblem(seed);
      const params: ReferenceParams = {
        wEnc: f64(p.wEnc),
        bEnc: f64(p.bEnc),
        wDec: f64(p.wDec),
        bDec: f64(p.bDec),
      };
      // Dead latents: every latent outside all rows' main top-k, plus one that fires now (a
      // latent dead by its history may still win this batch), so AuxK touches both kinds.
      const shape = {
        x: f64(p.x),
        rows,
        dIn: d,
        dSae: m,
        k,
        kAux,
        alpha,
        batchTopKCap: cap,
        ...(matryoshka ? { matryoshkaWidths: widths } : {}),
      };
      const probe = referenceLoss(params, { ...shape, dead: new Array(m).fill(false) });
      const firing = new Set(probe.active.flat());
      const dead = Array.from({ length: m }, (_, i) => !firing.has(i));
      dead[probe.active[0][0]] = true;
      const problem = { ...shape, dead };
      if (batchtopk) {
        // BatchTopK must give rows different numbers of actives, or it is Top-K in disguise.
        const counts = new Set(probe.active.map((a) => a.length));
        expect(counts.size).toBeGreaterThan(1);
      }
      const ref = referenceLoss(params, problem);
      const onlyAux = [...new Set(ref.auxActive.flat())].filter((i) => !firing.has(i));
      // The problem must exercise AuxK on latents that get no gradient from the main term.
      expect(onlyAux.length).toBeGreaterThan(1);

      const fd = centralDifferenceGradients(params, problem);

      const backend = createCpuBackend();
      const config = resolveTrainConfig({
        dIn: d,
        dSae: m,
        k,
        kAux,
        auxkAlpha: alpha,
        batchSize: rows,
        deadTokens: 100,
        architecture: arch,
        batchTopKCap: cap,
        ...(matryoshka ? { matryoshkaWidths: widths } : {}),
      });
      const g = new TrainGraph(backend, config);
      backend.write(g.params.wEnc, p.wEnc);
      backend.write(g.params.bEnc, p.bEnc);
      backend.write(g.params.wDec, p.wDec);
      backend.write(g.params.bDec, p.bDec);
      backend.write(
        g.stale,
        Float32Array.from(dead, (v) => (v ? 1000 : 0)),
      );
      backend.write(g.work(rows).x, p.x);
      const metrics = g.metrics[0];
      g.forwardBackward(rows, metrics, 1);
      const mv = await backend.read(metrics);
      // The device's losses agree with the reference too.
      expect(mv[0] / mv[1]).toBeCloseTo(ref.fvu, 5);
      if (matryoshka) {
        // The prefixes must split the active latents, or the test is BatchTopK again.
        const all = ref.active.flat();
        expect(all.some((i) => i < 4)).toBe(true);
        expect(all.some((i) => i >= 4 && i < 9)).toBe(true);
        expect(all.some((i) => i >= 9)).toBe(true);
        expect(mv[M.prefixNum] / mv[1]).toBeCloseTo(ref.loss - alpha * ref.auxk, 5);
        expect(mv[M.prefixNum] / mv[1]).toBeGreaterThan(ref.fvu * 1.5);
      }
      expect(mv[3] / mv[4]).toBeCloseTo(ref.auxk, 4);

      for (const name of ['wEnc', 'bEnc', 'wDec', 'bDec'] as const) {
        const analytic = await backend.read(g.grads[name]);
        const want = fd[name];
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        expect(scale, `${name} has a gradient`).toBeGreaterThan(1e-4);
        for (let i = 0; i < want.length; i++) {
          expect(Math.abs(analytic[i] - want[i]), `${name}[${i}]`).toBeLessThan(
            2e-4 * scale + 1e-6,
          );
        }
      }

      // Latents reached only through AuxK: their encoder rows and biases must have non-zero
      // gradients that match the differences (an AuxK that sends the encoder nothing fails).
      const gEnc = await backend.read(g.grads.wEnc);
      const gBEnc = await backend.read(g.grads.bEnc);
      for (const i of onlyAux) {
        expect(Math.abs(fd.bEnc[i]), `FD ∂b_enc[${i}]`).toBeGreaterThan(1e-6);
        expect(gBEnc[i]).toBeCloseTo(fd.bEnc[i], 6);
        let rowNorm = 0;
        for (let c = 0; c < d; c++) {
          rowNorm += fd.wEnc[i * d + c] ** 2;
          expect(Math.abs(gEnc[i * d + c] - fd.wEnc[i * d + c])).toBeLessThan(
            1e-6 + 1e-3 * Math.abs(fd.wEnc[i * d + c]),
          );
        }
        expect(Math.sqrt(rowNorm), `FD ∂W_enc[${i}]`).toBeGreaterThan(1e-6);
      }
      g.dispose();
    });
  }
});

import {
  ConfigError,
  createCpuBackend,
  DataError,
  evaluateSae,
  featureRecovery,
  MemoryRunStore,
  pairedBatch,
  Rng,
  readSavedRun,
  resolveTrainConfig,
  Sae,
  type SaeWeights,
  SyntheticActivations,
  syntheticSource,
  type TrainConfigInput,
  Trainer,
  TrainingRun,
  TrainingSweep,
} from '@saekit/core';
import {
  centralDifferenceGradients,
  type ReferenceParams,
  referenceLoss,
} from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';
import { M, TrainGraph } from '../src/train/graph.js';

const f64 = (a: Float32Array) => Float64Array.from(a);

describe('transcoder gradients: FVU + AuxK against the target, vs float64 central differences', () => {
  const rows = 6;
  const d = 7;
  const m = 14;
  const k = 3;
  const kAux = 4;
  const alpha = 1 / 32;
  for (const [seed, arch] of [
    [11, 'topk'],
    [12, 'topk'],
    [13, 'batchtopk'],
    [14, 'matryoshka'],
  ] as const) {
    it(`${arch}, seed ${seed}: every parameter; b_dec gets nothing through the encoder`, async () => {
      const rng = new Rng(seed);
      const f32 = (n: number, std: number, shift = 0) =>
        Float32Array.from({ length: n }, () => shift + std * rng.normal());
      const p = {
        wEnc: f32(m * d, 0.5),
        bEnc: f32(m, 0.3, 0.2),
        wDec: f32(m * d, 0.5),
        bDec: f32(d, 0.3),
        x: f32(rows * d, 1),
        // A target unrelated to x (shifted, so the encoder path and b_dec differ visibly).
        y: f32(rows * d, 1, 0.5),
      };
      const params: ReferenceParams = {
        wEnc: f64(p.wEnc),
        bEnc: f64(p.bEnc),
        wDec: f64(p.wDec),
        bDec: f64(p.bDec),
      };
      const cap = arch === 'topk' ? undefined : 2 * k;
      const widths = arch === 'matryoshka' ? [4, 9, m] : undefined;
      const shape = {
        x: f64(p.x),
        target: f64(p.y),
        rows,
        dIn: d,
        dSae: m,
        k,
        kAux,
        alpha,
        batchTopKCap: cap,
        ...(widths ? { matryoshkaWidths: widths } : {}),
      };
      const probe = referenceLoss(params, { ...shape, dead: new Array(m).fill(false) });
      const firing = new Set(probe.active.flat());
      const dead = Array.from({ length: m }, (_, i) => !firing.has(i));
      const problem = { ...shape, dead };
      const ref = referenceLoss(params, problem);
      // The reference really is a transcoder's: measured against y, with x uncentred.
      const asSae = referenceLoss(params, { ...problem, target: undefined });
      expect(Math.abs(ref.fvu - asSae.fvu)).toBeGreaterThan(0.05);
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
        targetTensor: 'mlp_out',
        ...(cap === undefined ? {} : { batchTopKCap: cap }),
        ...(widths ? { matryoshkaWidths: widths } : {}),
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
      const w = g.work(rows);
      backend.write(w.x, p.x);
      backend.write(w.target, p.y);
      g.forwardBackward(rows, g.metrics[0], 1);
      const mv = await backend.read(g.metrics[0]);
      expect(mv[M.fvuNum] / mv[M.fvuDen]).toBeCloseTo(ref.fvu, 5);
      expect(mv[M.auxNum] / mv[M.auxDen]).toBeCloseTo(ref.auxk, 4);
      expect(ref.auxk).toBeGreaterThan(0);
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
      g.dispose();
    });
  }
});

describe('transcoder config', () => {
  it('targetTensor is refused for the dense architectures, naming the key', () => {
    for (const architecture of ['jumprelu', 'standard'] as const) {
      expect(() =>
        resolveTrainConfig({ dIn: 8, dSae: 32, architecture, targetTensor: 'mlp_out' }),
      ).toThrow(ConfigError);
      try {
        resolveTrainConfig({ dIn: 8, dSae: 32, architecture, targetTensor: 'mlp_out' });
      } catch (e) {
        expect((e as ConfigError).key).toBe('targetTensor');
      }
    }
    expect(() => resolveTrainConfig({ dIn: 8, dSae: 32, k: 2, targetTensor: '' })).toThrow(
      /targetTensor.*non-empty name/,
    );
  });

  it('a batch that is not whole input + target rows is a DataError naming the batch', async () => {
    const t = await Trainer.create(createCpuBackend(), {
      dIn: 4,
      dSae: 16,
      k: 2,
      targetTensor: 'y',
    });
    // 12 values: three rows of an SAE, but not whole (input, target) pairs of width 4.
    await expect(t.step(new Float32Array(12))).rejects.toThrow(DataError);
    await expect(t.step(new Float32Array(12))).rejects.toThrow(/2 × dIn = 8/);
    const bad = pairedBatch(
      new Float32Array(8),
      Float32Array.from([0, 0, 0, 0, 0, Number.NaN, 0, 0]),
      2,
    );
    await expect(t.step(bad)).rejects.toThrow(/initData target: row 1: .*NaN at column 1/);
    t.initialize(pairedBatch(new Float32Array(8).fill(1), new Float32Array(8).fill(2), 2));
    await expect(t.step(bad)).rejects.toThrow(/batch 1 target: row 1: .*NaN at column 1/);
  });
});

const D = 32;
const SYN = { dIn: D, nFeatures: 128, activePerToken: 3, transcoder: true, seed: 5 } as const;
const TC: TrainConfigInput = {
  dIn: D,
  dSae: 256,
  k: 3,
  batchSize: 256,
  steps: 1000,
  lr: 0.01,
  seed: 1,
  targetTensor: 'target',
};

/** Cosine of row i of a against row j of b (both [n, d]). */
function cosine(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let c = 0; c < d; c++) {
    dot += a[i * d + c] * b[j * d + c];
    na += a[i * d + c] ** 2;
    nb += b[j * d + c] ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('transcoder on synthetic input → target data with a known sparse map', () => {
  it('recovers the map: decoder rows find the target dictionary, each from the right input feature', async () => {
    const data = new SyntheticActivations({ ...SYN, batchSize: 256 });
    const backend = createCpuBackend();
    const trainer = await Trainer.create(backend, TC);
    await trainer.train(data);
    const w = await trainer.exportWeights();
    const target = data.targetDictionary!;
    const r = featureRecovery(w.wDec, target, D);
    // The figure the README quotes (printed for the note).
    console.log(
      `transcoder recovery: ${r.recovered}/${r.maxCosine.length} target features at cos ≥ 0.9, MMCS ${r.mmcs.toFixed(3)}`,
    );
    expect(r.recoveredFraction).toBeGreaterThanOrEqual(0.95);
    // Not an SAE in disguise: the decoder does not point along the input dictionary.
    expect(featureRecovery(w.wDec, data.dictionary, D).recoveredFraction).toBeLessThan(0.05);
    // The map: the latent whose decoder is target feature f reads input feature f. Its encoder
    // row is most aligned with input dictionary row f among all input features.
    let right = 0;
    let matched = 0;
    for (let f = 0; f < SYN.nFeatures; f++) {
      let best = -1;
      let bestCos = 0.9;
      for (let i = 0; i < TC.dSae; i++) {
        const c = cosine(w.wDec, i, target, f, D);
        if (c > bestCos) [best, bestCos] = [i, c];
      }
      if (best < 0) continue;
      matched++;
      let arg = 0;
      let argCos = Number.NEGATIVE_INFINITY;
      for (let g = 0; g < SYN.nFeatures; g++) {
        const c = cosine(w.wEnc, best, data.dictionary, g, D);
        if (c > argCos) [arg, argCos] = [g, c];
      }
      if (arg === f) right++;
    }
    console.log(`transcoder map: ${right}/${matched} matched latents read their own input feature`);
    expect(right / matched).toBeGreaterThanOrEqual(0.9);

    // The exported transcoder works on raw activations: eval's FVU against the held-out
    // target matches a host computation, and is far below an identity "prediction" of x.
    const sae = Sae.fromWeights(backend, w);
    const held = data.sample(1024);
    const ev = await evaluateSae(backend, sae, [pairedBatch(held.activations, held.target!, 1024)]);
    const pred = await sae.reconstructHost(held.activations);
    const fvuOf = (p: Float32Array) => {
      const mean = new Float64Array(D);
      for (let i = 0; i < p.length; i++) mean[i % D] += held.target![i] / 1024;
      let num = 0;
      let den = 0;
      for (let i = 0; i < p.length; i++) {
        num += (p[i] - held.target![i]) ** 2;
        den += (held.target![i] - mean[i % D]) ** 2;
      }
      return num / den;
    };
    expect(ev.fvu).toBeCloseTo(fvuOf(pred), 4);
    // k = 3 keeps at most 3 of the ~3.5 active features per token (pairs add some): FVU ≈ 0.26.
    expect(ev.fvu).toBeLessThan(0.35);
    expect(fvuOf(held.activations)).toBeGreaterThan(1);
    console.log(`transcoder held-out FVU ${ev.fvu.toFixed(4)}, L0 ${ev.l0.toFixed(2)}`);
    sae.dispose();
    trainer.dispose();
  }, 120_000);
});

function expectSameWeights(a: SaeWeights, b: SaeWeights): void {
  for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec'] as const) {
    expect(Buffer.from(a[key].buffer).equals(Buffer.from(b[key].buffer)), key).toBe(true);
  }
}

describe('transcoder runs checkpoint and resume exactly', () => {
  it('interrupted and resumed = uninterrupted, bit for bit (scales and target included)', async () => {
    const config: TrainConfigInput = {
      ...TC,
      dSae: 64,
      batchSize: 64,
      steps: 24,
      initTokens: 128,
      deadTokens: 256,
      warmupSteps: 4,
    };
    const source = () => syntheticSource({ ...SYN, batchSize: 64 });
    const straight = await TrainingRun.create(createCpuBackend(), { config, source: source() });
    await straight.run();
    const want = await straight.trainer.exportWeights();
    expect(want.transcoder).toBe(true);
    expect(want.applyBDecToInput).toBe(false);
    // Input and target have different scales here, so both must be saved and restored.
    expect(want.foldedTargetScale).not.toBeCloseTo(want.foldedInputScale!, 3);

    const store = new MemoryRunStore();
    const controller = new AbortController();
    const first = await TrainingRun.create(createCpuBackend(), {
      config,
      source: source(),
      store,
      checkpointEvery: 5,
      onStep: (m) => {
        if (m.step === 9) controller.abort();
      },
    });
    const stopped = await first.run({ signal: controller.signal });
    expect(stopped.stopped).toBe('aborted');
    const saved = await readSavedRun(store);
    expect(saved?.config.targetTensor).toBe('target');
    const resumed = await TrainingRun.resume(createCpuBackend(), saved!, {
      source: source(),
      store,
    });
    await resumed.run();
    expectSameWeights(await resumed.trainer.exportWeights(), want);
    // A resume that names another target tensor is refused.
    await expect(
      TrainingRun.resume(createCpuBackend(), saved!, {
        source: source(),
        config: { targetTensor: 'mlp_in' },
      }),
    ).rejects.toThrow(/targetTensor/);
  });
});

describe('synthetic transcoder data', () => {
  it('inputs are the plain generator’s; targets are the same coefficients through the second dictionary', () => {
    const plain = new SyntheticActivations({ ...SYN, transcoder: false });
    const tc = new SyntheticActivations(SYN);
    const a = plain.sample(64);
    const b = tc.sample(64);
    expect(b.activations).toEqual(a.activations);
    expect(b.coefficients).toEqual(a.coefficients);
    const t = tc.targetDictionary!;
    for (const r of [0, 17, 63]) {
      for (let c = 0; c < D; c++) {
        let want = 0;
        for (let f = 0; f < SYN.nFeatures; f++)
          want += b.coefficients[r * SYN.nFeatures + f] * t[f * D + c];
        expect(b.target![r * D + c]).toBeCloseTo(want, 5);
      }
    }
    // batch() hands out the paired layout.
    const again = new SyntheticActivations(SYN).batch(64);
    expect(again.subarray(0, 64 * D)).toEqual(b.activations);
    expect(again.subarray(64 * D)).toEqual(b.target);
  });
});

describe('transcoders in a sweep', () => {
  const base: TrainConfigInput = {
    ...TC,
    dSae: 64,
    batchSize: 64,
    steps: 12,
    initTokens: 64,
    warmupSteps: 2,
  };
  it('members share the paired stream and match the same config trained alone; SAE and transcoder members do not mix', async () => {
    const source = () => syntheticSource({ ...SYN, batchSize: 64 });
    const members = [
      { config: { ...base, k: 3 } },
      { config: { ...base, k: 4, architecture: 'batchtopk' as const } },
    ];
    const sweep = await TrainingSweep.create(createCpuBackend(), members, { source: source() });
    await sweep.run();
    for (const [i, m] of members.entries()) {
      const alone = await TrainingRun.create(createCpuBackend(), {
        config: m.config,
        source: source(),
      });
      await alone.run();
      const got = await sweep.runs[i].trainer.exportWeights();
      expectSameWeights(got, await alone.trainer.exportWeights());
      expect(got.transcoder).toBe(true);
    }
    const { targetTensor: _drop, ...sae } = base;
    await expect(
      TrainingSweep.create(createCpuBackend(), [{ config: base }, { config: sae }], {
        source: source(),
      }),
    ).rejects.toThrow(/need one targetTensor; got 'target', none \(an SAE\)/);
  });
});

describe('transcoder export folds both scales', () => {
  it('the exported weights on raw data give the FVU the trainer measures in its scaled units', async () => {
    // Inputs and targets of very different sizes: s and t differ by ~100×.
    const data = new SyntheticActivations({ ...SYN, batchSize: 256 });
    const scaled = (b: Float32Array) => b.map((v, i) => (i < b.length / 2 ? 0.1 * v : 10 * v));
    const backend = createCpuBackend();
    const t = await Trainer.create(backend, { ...TC, steps: 40 });
    for (let i = 0; i < 30; i++) await t.step(scaled(data.batch()));
    const w = await t.exportWeights();
    expect(w.foldedTargetScale! / w.foldedInputScale!).toBeLessThan(0.02);
    const batch = scaled(data.batch());
    const sae = Sae.fromWeights(backend, w);
    const raw = await evaluateSae(backend, sae, [batch]);
    // The step's FVU is measured before its update, with the weights just exported.
    const step = await t.step(batch);
    expect(raw.fvu).toBeCloseTo(step.fvu, 4);
    expect(raw.l0).toBeCloseTo(step.l0, 6);
    expect(step.fvu).toBeLessThan(0.9);
    sae.dispose();
    t.dispose();
  });
});

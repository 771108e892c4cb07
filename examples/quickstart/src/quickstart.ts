import { featureRecovery, type StepMetrics, syntheticSource, TrainingRun } from '@saekit/core';
import { type BackendChoice, chooseBackend } from './backend.js';

export interface QuickstartOptions {
  readonly dIn?: number;
  readonly trueFeatures?: number;
  readonly latents?: number;
  readonly k?: number;
  readonly batchSize?: number;
  readonly steps?: number;
  readonly lr?: number;
  readonly seed?: number;
  /** Default 'auto': onnxruntime where it loads, else cpu. */
  readonly backend?: BackendChoice;
  readonly log?: (line: string) => void;
}

export interface QuickstartResult {
  readonly trueFeatures: number;
  readonly recovered: number;
  readonly recoveredFraction: number;
  readonly mmcs: number;
  readonly last: StepMetrics;
  readonly seconds: number;
  /** The backend's device string, e.g. 'onnxruntime 1.30.0, products on …, 2 threads'. */
  readonly device: string;
}

/**
 * Activations that are sparse sums of a known dictionary go in; a Top-K SAE trained on them
 * should find that dictionary in its decoder rows. Defaults take about a minute on a laptop.
 */
export async function runQuickstart(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const {
    dIn = 48,
    trueFeatures = 384,
    latents = 384,
    k = 4,
    batchSize = 512,
    steps = 1500,
    lr = 0.02,
    seed = 0,
    backend: choice = 'auto',
    log = console.log,
  } = options;
  const data = syntheticSource({
    dIn,
    nFeatures: trueFeatures,
    activePerToken: 4,
    batchSize,
    seed,
  });
  log(
    `training a Top-K SAE (d=${dIn}, m=${latents}, k=${k}) on ${steps} × ${batchSize} synthetic tokens built from ${trueFeatures} known features`,
  );
  const every = Math.max(1, Math.floor(steps / 10));
  const backend = await chooseBackend(choice);
  log(`backend: ${backend.name} (${backend.descriptor.device})`);
  // The library's training run: no store is given, so its checkpoints stay in memory; give a
  // RunFolder (@saekit/io) to make the run resumable from disk.
  const run = await TrainingRun.create(backend, {
    config: { dIn, dSae: latents, k, batchSize, steps, lr, seed },
    source: data,
    checkpointEvery: 0,
    onStep: (m) => {
      if (m.step % every === 0 || m.step === steps) {
        log(
          `step ${m.step}/${steps}  fvu ${m.fvu.toFixed(3)}  l0 ${m.l0.toFixed(1)}  dead ${(100 * m.deadFraction).toFixed(1)}%  ${Math.round(m.tokensPerSecond)} tok/s`,
        );
      }
    },
  });
  const t0 = performance.now();
  const summary = await run.run();
  const seconds = (performance.now() - t0) / 1000;
  const weights = await run.trainer.exportWeights();
  const r = featureRecovery(weights.wDec, data.dictionary, dIn, 0.9);
  const device = backend.descriptor.device;
  run.dispose();
  await backend.destroy();
  log(
    `recovered ${r.recovered} of ${trueFeatures} true features (${(100 * r.recoveredFraction).toFixed(1)}%) at cosine ≥ 0.9; MMCS ${r.mmcs.toFixed(3)}; ${seconds.toFixed(1)} s`,
  );
  return {
    trueFeatures,
    recovered: r.recovered,
    recoveredFraction: r.recoveredFraction,
    mmcs: r.mmcs,
    last: summary.last!,
    seconds,
    device,
  };
}

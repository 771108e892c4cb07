import { join } from 'node:path';
import { featureRecovery, SyntheticActivations } from '@saekit/core';
import { loadSae } from '@saekit/io';
import type { BackendChoice } from '../backends.js';
import { syntheticSeed } from '../synthetic-seed.js';
import { runEval } from './eval.js';
import { runInspect } from './inspect.js';
import { writeSyntheticShards } from './synth.js';
import { runTrain } from './train.js';

export interface DemoOptions {
  out: string;
  backend: BackendChoice;
  steps: number;
  dIn: number;
  seed: number;
}

function say(message: string): void {
  process.stderr.write(`\n== ${message}\n`);
}

/**
 * The main job, end to end with nothing to download: synthetic shards with a known
 * dictionary, a Top-K SAE trained on them, an evaluation on held-out rows of the same
 * distribution, and the HTML report with each top latent's contexts.
 */
export async function runDemo(o: DemoOptions): Promise<void> {
  const shards = join(o.out, 'shards');
  const heldOut = join(o.out, 'held-out');
  const run = join(o.out, 'sae');
  const nFeatures = 4 * o.dIn;
  const generator = new SyntheticActivations({
    dIn: o.dIn,
    nFeatures,
    seed: syntheticSeed(o.seed),
  });
  const batchSize = 1024;
  const trainTokens = Math.min(o.steps * batchSize, 262_144);
  say(
    `writing ${trainTokens} + 16384 synthetic tokens (d_in ${o.dIn}, ${nFeatures} true features) to ${o.out}`,
  );
  const shardOptions = { rowsPerShard: 32_768, dtype: 'f32', seqLen: 64 } as const;
  await writeSyntheticShards(generator, shards, { ...shardOptions, tokens: trainTokens });
  await writeSyntheticShards(generator, heldOut, { ...shardOptions, tokens: 16_384 });

  say(`training a Top-K SAE: d_sae ${8 * o.dIn}, k 8, ${o.steps} steps of ${batchSize} tokens`);
  await runTrain({
    data: shards,
    out: run,
    architecture: 'topk',
    dSae: 8 * o.dIn,
    k: 8,
    steps: o.steps,
    batchSize,
    seed: o.seed,
    backend: o.backend,
    syntheticActive: 4,
    normalizeActivations: true,
    checkpointEvery: 1000,
    logEvery: 50,
    force: true,
    progress: true,
  });

  const { weights } = await loadSae(run);
  const r = featureRecovery(weights.wDec, generator.dictionary, o.dIn);
  process.stderr.write(
    `feature recovery: MMCS ${r.mmcs.toFixed(3)}; ${r.recovered} of ${nFeatures} true features ` +
      `(${(r.recoveredFraction * 100).toFixed(1)}%) found at cosine ≥ 0.9\n`,
  );

  say('evaluating on held-out tokens');
  await runEval({ sae: run, data: heldOut, batchSize: 4096, backend: o.backend });

  say('writing the report');
  await runInspect({
    sae: run,
    data: heldOut,
    tokenizer: join(shards, 'tokenizer.bin'),
    features: 12,
    contexts: 6,
    window: 8,
    maxTokens: 16_384,
    cosineSample: 1024,
    backend: o.backend,
  });
  say(`done: open ${join(run, 'report.html')} in a browser`);
}

import { evaluateSae, Sae } from '@saekit/core';
import { ActivationDataset, loadSae } from '@saekit/io';
import { type BackendChoice, chooseBackend, describeChoice } from '../backends.js';
import { InputError } from '../errors.js';

export interface EvalOptions {
  sae: string;
  data: string;
  batchSize: number;
  maxTokens?: number;
  backend: BackendChoice;
  json?: boolean;
}

async function* limit(source: AsyncIterable<Float32Array>, dIn: number, maxTokens?: number) {
  let seen = 0;
  for await (const batch of source) {
    const rows = batch.length / dIn;
    if (maxTokens !== undefined && seen + rows > maxTokens) {
      const keep = maxTokens - seen;
      if (keep > 0) yield batch.subarray(0, keep * dIn);
      return;
    }
    seen += rows;
    yield batch;
  }
}

export async function runEval(o: EvalOptions): Promise<void> {
  const loaded = await loadSae(o.sae);
  const w = loaded.weights;
  const dataset = await ActivationDataset.open(o.data, { batchSize: o.batchSize, epochs: 1 });
  if (dataset.dIn !== w.dIn) {
    throw new InputError(
      o.data,
      `activations have width ${dataset.dIn} but the SAE expects d_in = ${w.dIn}`,
    );
  }
  const chosen = await chooseBackend(o.backend);
  if (!o.json) process.stderr.write(`${describeChoice(chosen)}\n`);
  const sae = Sae.fromWeights(chosen.backend, w);
  try {
    const r = await evaluateSae(chosen.backend, sae, limit(dataset, w.dIn, o.maxTokens));
    const result = {
      sae: o.sae,
      format: loaded.format,
      architecture: w.architecture,
      d_in: w.dIn,
      d_sae: w.dSae,
      tokens: r.tokens,
      fvu: r.fvu,
      mse: r.mse,
      l0: r.l0,
      dead_frac: r.deadFraction,
      dense_frac: r.denseFraction,
      firing_histogram: r.firingHistogram,
    };
    if (o.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const rows: [string, string][] = [
      ['SAE', `${o.sae} (${loaded.format}, ${w.architecture}, ${w.dIn} → ${w.dSae})`],
      ['tokens', String(r.tokens)],
      ['FVU', r.fvu.toFixed(5)],
      ['MSE', r.mse.toExponential(4)],
      ['L0', r.l0.toFixed(2)],
      ['dead fraction', `${(r.deadFraction * 100).toFixed(2)}%`],
      ['dense fraction', `${(r.denseFraction * 100).toFixed(2)}%`],
    ];
    const width = Math.max(...rows.map((x) => x[0].length));
    process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  } finally {
    sae.dispose();
    await chosen.backend.destroy();
  }
}

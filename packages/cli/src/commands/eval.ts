import { evaluateSae, Sae } from '@saekit/core';
import { type BackendChoice, chooseBackend, describeChoice } from '../backends.js';
import { InputError } from '../errors.js';
import { loadSaeForCommand, targetTensorOf } from '../load-sae.js';
import { readTokenRows, sliceBatches } from '../shard-rows.js';

export interface EvalOptions {
  sae: string;
  data: string;
  batchSize: number;
  maxTokens?: number;
  backend: BackendChoice;
  hookpoint?: string;
  json?: boolean;
  /** A transcoder's target tensor in the shards (default: the one it was trained on). */
  targetTensor?: string;
}

export async function runEval(o: EvalOptions): Promise<void> {
  const loaded = await loadSaeForCommand(o.sae, o.hookpoint);
  const w = loaded.weights;
  // Every row once, in file order (a training dataset would drop the last partial batch).
  // Reading the first slice now reports a width mismatch before a backend is started.
  const target = targetTensorOf(loaded, o.targetTensor);
  const slices = readTokenRows(o.data, w.dIn, o.maxTokens ?? Number.POSITIVE_INFINITY, target);
  const first = await slices.next();
  if (first.done) throw new InputError(o.data, 'no rows to evaluate');
  const batches = async function* () {
    for (let slice = first.value; ; ) {
      yield* sliceBatches(slice, w.dIn, o.batchSize);
      const next = await slices.next();
      if (next.done) return;
      slice = next.value;
    }
  };
  const chosen = await chooseBackend(o.backend);
  if (!o.json) process.stderr.write(`${describeChoice(chosen)}\n`);
  const sae = Sae.fromWeights(chosen.backend, w);
  try {
    const r = await evaluateSae(chosen.backend, sae, batches());
    const result = {
      sae: o.sae,
      format: loaded.format,
      architecture: w.architecture,
      ...(target === undefined ? {} : { transcoder: true, target_tensor: target }),
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
      [
        'SAE',
        `${o.sae} (${loaded.format}, ${w.architecture}${target === undefined ? '' : ' transcoder'}, ${w.dIn} → ${w.dSae})`,
      ],
      ['tokens', String(r.tokens)],
      [target === undefined ? 'FVU' : `FVU vs ${target}`, r.fvu.toFixed(5)],
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

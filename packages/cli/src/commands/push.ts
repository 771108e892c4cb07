import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateSae, Sae } from '@saekit/core';
import { isHubUri, type LoadedSae, pushSaeToHub, readMetrics } from '@saekit/io';
import { type BackendChoice, chooseBackend, describeChoice } from '../backends.js';
import { UsageError } from '../errors.js';
import { loadSaeForCommand, targetTensorOf } from '../load-sae.js';
import { type HeaderGroup, type HeldOutNumbers, reportHeader } from '../report/header.js';
import { rowBatches } from '../shard-rows.js';

export interface PushOptions {
  sae: string;
  to: string;
  data?: string;
  batchSize: number;
  backend: BackendChoice;
}

/**
 * A model card for the Hub: front matter the Hub indexes, the training configuration, and
 * the evaluation numbers (held-out ones when --data was given, else the last training
 * record of metrics.jsonl, said which).
 */
export function modelCard(
  loaded: LoadedSae,
  groups: readonly HeaderGroup[],
  trainingEnd?: string,
): string {
  const meta = loaded.metadata ?? {};
  const lines = [
    '---',
    'library_name: saekit',
    'tags:',
    '- sparse-autoencoder',
    '- saelens',
    ...(typeof meta.model_name === 'string' && meta.model_name !== 'unknown'
      ? [`base_model: ${meta.model_name}`]
      : []),
    '---',
    '',
    `# ${loaded.weights.architecture} SAE (${loaded.weights.dIn} → ${loaded.weights.dSae})`,
    '',
    `Trained with [saekit](https://www.npmjs.com/package/@saekit/cli); stored in the ${loaded.format === 'saelens' ? 'SAELens' : loaded.format} layout, so SAELens loads it unchanged.`,
  ];
  for (const g of groups) {
    lines.push('', `## ${g.title}`, '', '| | |', '|---|---|');
    for (const r of g.rows) lines.push(`| ${r.label} | ${r.value.replace(/\|/g, '\\|')} |`);
    if (g.note) lines.push('', g.note);
  }
  if (trainingEnd) lines.push('', '## At the end of training', '', trainingEnd);
  return `${lines.join('\n')}\n`;
}

export async function runPush(o: PushOptions): Promise<void> {
  if (!isHubUri(o.to)) throw new UsageError('--to', 'expected hf://ORG/REPO[@BRANCH][/PATH]');
  if (!existsSync(o.sae) || !statSync(o.sae).isDirectory()) {
    throw new UsageError('--sae', `${o.sae} is not an SAE folder`);
  }
  const loaded = await loadSaeForCommand(o.sae);
  const w = loaded.weights;
  let heldOut: HeldOutNumbers | undefined;
  if (o.data !== undefined) {
    const chosen = await chooseBackend(o.backend);
    process.stderr.write(`${describeChoice(chosen)}\n`);
    const sae = Sae.fromWeights(chosen.backend, w);
    try {
      const target = targetTensorOf(loaded, undefined);
      const batches = rowBatches(o.data, w.dIn, o.batchSize, undefined, target);
      const e = await evaluateSae(chosen.backend, sae, batches);
      heldOut = { ...e, source: o.data };
    } finally {
      sae.dispose();
      await chosen.backend.destroy();
    }
  }
  const metricsPath = join(o.sae, 'metrics.jsonl');
  const last = existsSync(metricsPath) ? (await readMetrics(metricsPath)).at(-1) : undefined;
  const trainingEnd = last
    ? `Step ${last.step} (${last.tokens} tokens): FVU ${last.fvu.toFixed(4)}, L0 ${last.l0.toFixed(2)}, dead ${(last.dead_frac * 100).toFixed(2)}% (training batches, from metrics.jsonl).`
    : undefined;
  const groups = reportHeader({
    path: o.to,
    format: loaded.format,
    architecture: w.architecture,
    dIn: w.dIn,
    dSae: w.dSae,
    k: w.k,
    cfg: loaded.cfg,
    metadata: loaded.metadata,
    heldOut,
  });
  const r = await pushSaeToHub(o.sae, o.to, { card: modelCard(loaded, groups, trainingEnd) });
  process.stderr.write(`pushed ${r.files.join(', ')} to ${o.to}\n`);
}

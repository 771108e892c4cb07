import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { evaluateSae, featureRecovery, type Json, Sae, type SaeWeights } from '@saekit/core';
import {
  isHubUri,
  loadTokenizer,
  readMetrics,
  readNpz,
  type TokenDecoder,
  tokenTexts,
} from '@saekit/io';
import { type BackendChoice, chooseBackend, describeChoice } from '../backends.js';
import { InputError, UsageError } from '../errors.js';
import { loadSaeForCommand, targetTensorOf } from '../load-sae.js';
import { decoderRowNorms, maxCosineSimilarity, sampleLatents } from '../report/analysis.js';
import { ContextCollector, type LatentSelection } from '../report/contexts.js';
import { type HeldOutNumbers, type RecoveryNumbers, reportHeader } from '../report/header.js';
import { type ReportInput, renderReport } from '../report/html.js';
import { readTokenRows, sliceBatches } from '../shard-rows.js';
import { TRUE_DICTIONARY } from './synth.js';

export interface InspectOptions {
  sae: string;
  out?: string;
  metrics?: string;
  data?: string;
  tokenizer?: string;
  /** Latent ids ("12,400") or how to pick `features` of them: frequent, rare, random. */
  latents?: string;
  seed?: number;
  features: number;
  contexts: number;
  window: number;
  maxTokens: number;
  cosineSample: number;
  backend: BackendChoice;
  hookpoint?: string;
}

/** Parses --latents: comma-separated ids, or frequent / dense, rare, random. */
export function parseLatentSelection(
  spec: string | undefined,
  count: number,
  dSae: number,
  seed = 0,
): LatentSelection {
  const s = (spec ?? 'frequent').trim();
  if (s === 'frequent' || s === 'dense') return { kind: 'frequent', count };
  if (s === 'rare' || s === 'random') return { kind: s, count, seed };
  const parts = s.split(',').map((p) => p.trim());
  const ids = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || ids[i] >= dSae);
  if (bad !== undefined) {
    throw new UsageError(
      '--latents',
      `'${bad}' is not a latent id in [0, ${dSae}); give ids like 12,400 or one of frequent, rare, random`,
    );
  }
  return { kind: 'ids', ids: [...new Set(ids)] };
}

const SELECTION_HEADING: Record<LatentSelection['kind'], string> = {
  ids: 'Chosen latents',
  frequent: 'Most frequent latents',
  rare: 'Rarest latents (of those that fired)',
  random: 'Random latents (of those that fired)',
};

export async function runInspect(o: InspectOptions): Promise<void> {
  if (o.tokenizer !== undefined && o.data === undefined) {
    throw new UsageError(
      '--tokenizer',
      'needs --data: the tokenizer decodes the token ids of the shards that --data names',
    );
  }
  const loaded = await loadSaeForCommand(o.sae, o.hookpoint);
  const w = loaded.weights;
  // An SAE from the Hub has no run folder: the report goes to the working directory.
  const hub = isHubUri(o.sae);
  const runDir = hub
    ? undefined
    : existsSync(o.sae) && statSync(o.sae).isDirectory()
      ? o.sae
      : dirname(o.sae);
  const out = o.out ?? (runDir === undefined ? 'report.html' : join(runDir, 'report.html'));
  const notes: string[] = [];

  const metricsPath = o.metrics ?? (runDir === undefined ? '' : join(runDir, 'metrics.jsonl'));
  if (o.metrics !== undefined && !existsSync(o.metrics))
    throw new InputError(o.metrics, 'no such file');
  const metrics =
    metricsPath && existsSync(metricsPath) ? await readMetrics(metricsPath) : undefined;
  if (!metrics) {
    notes.push(
      metricsPath
        ? `no metrics log at ${metricsPath}: training curves omitted`
        : 'an SAE from the Hub: no training curves (give --metrics to add them)',
    );
  }

  let firingLog10 = loaded.sparsity;
  let firingSource = loaded.sparsity
    ? 'from the checkpoint’s sparsity, measured during training'
    : undefined;

  const tokenizer: TokenDecoder | undefined = o.tokenizer
    ? await loadTokenizer(o.tokenizer)
    : undefined;
  const selection = parseLatentSelection(o.latents, o.features, w.dSae, o.seed);
  let features: ReportInput['features'];
  let heldOut: HeldOutNumbers | undefined;
  if (o.data) {
    const chosen = await chooseBackend(o.backend);
    process.stderr.write(`${describeChoice(chosen)}\n`);
    // Threshold SAEs (JumpReLU, ReLU) have no fixed k: keep each token's largest actives,
    // which is all the contexts need, instead of a dense dSae-wide code.
    const threshold = w.architecture === 'jumprelu' || w.architecture === 'standard';
    const sae = Sae.fromWeights(
      chosen.backend,
      w,
      threshold ? { maxActive: Math.min(w.dSae, 64) } : {},
    );
    // The evaluation reconstructs with every active latent.
    const full = threshold ? Sae.fromWeights(chosen.backend, w) : sae;
    const collector = new ContextCollector(w.dSae, o.contexts);
    const data = o.data;
    // A transcoder is scored against its target; its contexts come from its input.
    const target = targetTensorOf(loaded, undefined);
    // One read of the shards: each slice is encoded for the contexts, then evaluated.
    async function* batches() {
      for await (const slice of readTokenRows(data, w.dIn, o.maxTokens, target)) {
        collector.add(slice, await encodeInChunks(sae, slice.activations, slice.rows, w.dIn));
        yield* sliceBatches(slice, w.dIn, EVAL_BATCH);
      }
    }
    try {
      const e = await evaluateSae(chosen.backend, full, batches());
      heldOut = { ...e, source: o.data };
    } finally {
      if (full !== sae) full.dispose();
      sae.dispose();
      await chosen.backend.destroy();
    }
    if (!firingLog10) {
      firingLog10 = Float32Array.from(collector.counts, (c) =>
        Math.log10(c / Math.max(1, collector.rows) + 1e-10),
      );
      firingSource = `measured on ${collector.rows} tokens of ${o.data}`;
    }
    if (!collector.hasTokens) {
      notes.push(
        'the shards carry no token_ids: each context shows its row number and this latent’s activation on that row and its neighbours (· = 0)',
      );
    } else if (!tokenizer) notes.push('no --tokenizer given: contexts show token ids ⟨id⟩');
    const text = tokenizer ? (ids: readonly number[]) => tokenTexts(tokenizer, ids) : undefined;
    features = collector.features(collector.select(selection), o.window, text);
  } else {
    notes.push('no --data given: most-activating contexts omitted');
  }

  const recovery = await syntheticRecovery(w, [o.data, loaded.metadata?.dataset_path]);
  const sae = {
    path: o.sae,
    format: loaded.format,
    architecture: w.architecture,
    dIn: w.dIn,
    dSae: w.dSae,
    k: w.k,
  };
  const latents = sampleLatents(w.dSae, o.cosineSample);
  const report = renderReport({
    header: reportHeader({ ...sae, cfg: loaded.cfg, metadata: loaded.metadata, heldOut, recovery }),
    title: `saekit report: ${resolve(o.sae).split('/').slice(-2).join('/')}`,
    sae,
    metrics,
    firingLog10,
    firingSource,
    decoderNorms: decoderRowNorms(w.wDec, w.dSae, w.dIn),
    maxCosine: { latents, values: maxCosineSimilarity(w.wDec, w.dSae, w.dIn, latents) },
    features,
    featuresHeading: `${SELECTION_HEADING[selection.kind]}: most-activating contexts`,
    notes,
  });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, report);
  renameSync(tmp, out);
  process.stderr.write(`report written to ${out}\n`);
}

const EVAL_BATCH = 4096;

/**
 * Feature recovery against the true dictionary that `saekit synth` writes beside synthetic
 * shards (a transcoder's: the target dictionary): looked for next to the examined data, then
 * next to the training data.
 */
async function syntheticRecovery(
  w: SaeWeights,
  places: readonly (Json | undefined)[],
): Promise<RecoveryNumbers | undefined> {
  for (const place of places) {
    if (typeof place !== 'string' || !existsSync(place)) continue;
    const dir = statSync(place).isDirectory() ? place : dirname(place);
    const file = join(dir, TRUE_DICTIONARY);
    if (!existsSync(file)) continue;
    const arrays = await readNpz(file);
    // A transcoder's decoder writes the targets: it is scored against the target dictionary.
    const dictionary = w.transcoder === true ? arrays['target_dictionary'] : arrays['dictionary'];
    if (dictionary === undefined || dictionary.shape[1] !== w.dIn) continue;
    const r = featureRecovery(w.wDec, dictionary.data as Float32Array, w.dIn);
    return { source: file, mmcs: r.mmcs, recovered: r.recovered, trueFeatures: r.maxCosine.length };
  }
  return undefined;
}

/**
 * Encodes a shard's rows a chunk at a time (the encoder's dense [rows, dSae] product would
 * not fit for a whole shard) into one code, so contexts may span chunk boundaries.
 */
async function encodeInChunks(sae: Sae, x: Float32Array, rows: number, dIn: number) {
  const chunk = 1024;
  let values: Float32Array | undefined;
  let indices: Int32Array | undefined;
  let k = 0;
  for (let r = 0; r < rows; r += chunk) {
    const n = Math.min(chunk, rows - r);
    const code = await sae.encodeHost(x.subarray(r * dIn, (r + n) * dIn), n);
    if (!values || !indices) {
      k = code.width;
      values = new Float32Array(rows * k);
      indices = new Int32Array(rows * k).fill(-1);
    }
    values.set(code.values, r * k);
    indices.set(code.indices, r * k);
  }
  return { values: values ?? new Float32Array(0), indices: indices ?? new Int32Array(0), k };
}

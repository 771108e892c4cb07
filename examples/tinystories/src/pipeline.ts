import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backend, Rng, Sae, type StepMetrics } from '@saekit/core';
import { ActivationDataset, ShardWriter, saveSae } from '@saekit/io';
import { MemoryActivations } from './activations.js';
import { type BackendChoice, chooseBackend } from './backend.js';
import { collectStories } from './collect.js';
import { type FeatureSummary, formatContext, mostActivatingContexts } from './contexts.js';
import { generate } from './model/generate.js';
import { Tokenizer } from './model/tokenizer.js';
import { type ResidualHook, Transformer } from './model/transformer.js';
import { type ModelFiles, storiesModelFiles } from './paths.js';
import { encodeRows, firingRates, meanRow, trainSae } from './sae.js';
import { readShardTable } from './shards.js';
import { evaluateSplice, type SpliceResult } from './splice.js';
import { chooseSteeringFeature, countWord, decoderDirection, steeringHook } from './steer.js';

export interface PipelineOptions {
  readonly files?: ModelFiles;
  /** Block whose output residual the SAE reads (SAELens: blocks.{layer}.hook_resid_post). */
  readonly layer?: number;
  /** Stories sampled (temperature 1) for training activations, and for held-out evaluation. */
  readonly trainStories?: number;
  readonly heldOutStories?: number;
  /** Tokens per story at most, BOS included (default: the model's context of 512). */
  readonly maxTokens?: number;
  readonly dSae?: number;
  readonly k?: number;
  readonly steps?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** Feature to steer with (default: chosen by `chooseSteeringFeature`) and its added value. */
  readonly steerFeature?: number;
  readonly steerValue?: number;
  readonly steerTokens?: number;
  /**
   * Keep the results here: `activations/` (safetensors shards with token and sequence ids)
   * and `sae/` (the SAE in SAELens format, with its firing rates). Default: shards go to a
   * temporary folder, deleted at the end, and the SAE is not saved.
   */
  readonly outDir?: string;
  /**
   * A backend to train and evaluate on (left for the caller to destroy), or which one to pick:
   * 'auto' (default: onnxruntime where it loads, else cpu), 'onnxruntime' or 'cpu'.
   */
  readonly backend?: Backend | BackendChoice;
  readonly log?: (line: string) => void;
  readonly onStep?: (metrics: StepMetrics) => void;
}

export interface PipelineResult {
  readonly layer: number;
  readonly trainRows: number;
  /** The shards written (gone when no outDir was given). */
  readonly shards: readonly string[];
  /** Where the SAE was saved, when outDir was given. */
  readonly saeDir?: string;
  readonly trainSeconds: number;
  readonly collectSeconds: number;
  readonly evalSeconds: number;
  readonly lastStep: StepMetrics | null;
  readonly notes: readonly string[];
  /** Spliced evaluation on held-out stories; `fvu` is the FVU on those held-out tokens. */
  readonly eval: SpliceResult;
  readonly features: FeatureSummary[];
  readonly steering: SteeringResult;
}

export interface SteeringResult {
  readonly feature: number;
  readonly value: number;
  /** The word the feature's top contexts highlight, and its count before / after steering. */
  readonly word: string;
  readonly before: string;
  readonly after: string;
  readonly countBefore: number;
  readonly countAfter: number;
}

const DEFAULTS = {
  layer: 2,
  trainStories: 100,
  heldOutStories: 10,
  dSae: 512,
  k: 8,
  steps: 1500,
  batchSize: 1024,
  seed: 1,
  steerTokens: 120,
};

/**
 * The whole example: sample stories and collect the residual after `layer`; train a Top-K
 * SAE; score it spliced into the model on held-out stories; list the top features' most
 * activating contexts; steer generation with one feature.
 */
export async function runPipeline(options: PipelineOptions = {}): Promise<PipelineResult> {
  const o = { ...DEFAULTS, ...options };
  const log = options.log ?? (() => {});
  const files = options.files ?? storiesModelFiles();
  const model = Transformer.load(files.model);
  const tokenizer = Tokenizer.load(files.tokenizer, model.config.vocabSize);
  const dim = model.config.dim;
  const backend =
    typeof options.backend === 'object' ? options.backend : await chooseBackend(options.backend);
  log(`backend: ${backend.name} (${backend.descriptor.device})`);
  const seconds = (since: number) => (performance.now() - since) / 1000;

  const tempDir =
    options.outDir === undefined ? await mkdtemp(join(tmpdir(), 'saekit-tinystories-')) : undefined;
  const dir = join(options.outDir ?? tempDir!, 'activations');
  const hookName = `blocks.${o.layer}.hook_resid_post`;
  try {
    let t = performance.now();
    const writer = new ShardWriter(dir, {
      dIn: dim,
      rowsPerShard: 16384,
      metadata: { model: 'stories260K', hook: hookName },
    });
    const collected = await collectStories(model, writer, {
      layer: o.layer,
      count: o.trainStories,
      rng: new Rng(o.seed),
      maxTokens: o.maxTokens,
    });
    const shards = await writer.close();
    // Held-out stories come from another seed: no story is shared with training.
    const heldOut = await collectStories(model, new MemoryActivations(dim), {
      layer: o.layer,
      count: o.heldOutStories,
      rng: new Rng(o.seed + 1_000_003),
      maxTokens: o.maxTokens,
    });
    const collectSeconds = seconds(t);
    log(
      `collected ${collected.rows} training tokens from ${collected.sequences} stories into ` +
        `${shards.length} shard(s) and ${heldOut.rows} held-out tokens at layer ${o.layer} ` +
        `in ${collectSeconds.toFixed(1)} s`,
    );

    t = performance.now();
    const dataset = await ActivationDataset.open(dir, {
      batchSize: o.batchSize,
      seed: o.seed,
      epochs: Number.POSITIVE_INFINITY,
    });
    const trained = await trainSae(
      backend,
      dataset,
      { dIn: dim, dSae: o.dSae, k: o.k, steps: o.steps, batchSize: o.batchSize, seed: o.seed },
      options.onStep,
    );
    const trainSeconds = seconds(t);
    for (const note of trained.notes) log(`note: ${note}`);
    log(
      `trained ${trained.steps} steps (${trained.tokens} tokens) in ${trainSeconds.toFixed(1)} s; ` +
        `last batch FVU ${trained.last?.fvu.toFixed(4)}, dead ${trained.last?.deadFraction.toFixed(3)}`,
    );

    // The shards hold everything the contexts need: activations, token ids, sequence ids.
    const table = await readShardTable(shards);
    const sae = Sae.fromWeights(backend, trained.weights);
    try {
      t = performance.now();
      const evaluation = await evaluateSplice(model, heldOut.tokens, {
        layer: o.layer,
        reconstruct: (rows, n) => sae.reconstructHost(rows, n),
        meanResidual: meanRow(table.activations, table.rows, dim),
      });
      const evalSeconds = seconds(t);

      const codes = await encodeRows(sae, table.activations, table.rows);
      const saeDir = options.outDir === undefined ? undefined : join(options.outDir, 'sae');
      if (saeDir !== undefined) {
        await saveSae(saeDir, trained.weights, {
          metadata: { model_name: 'stories260K', hook_name: hookName, hook_layer: o.layer },
          sparsity: firingRates(codes, o.dSae, table.rows),
        });
      }
      const all = mostActivatingContexts(codes, table, (p, tok) => tokenizer.decodePiece(p, tok), {
        dSae: o.dSae,
        topFeatures: o.dSae,
        perFeature: 10,
      });
      const direction = (feature: number) => decoderDirection(trained.weights.wDec, dim, feature);
      const story = (hook?: ResidualHook) =>
        tokenizer.decode(generate(model, { maxTokens: o.steerTokens, layer: o.layer, hook }));
      const steered = (feature: number, value: number) =>
        story(steeringHook(direction(feature), value));
      const before = story();
      const steering = chooseSteering(all, before, steered, options);
      return {
        layer: o.layer,
        trainRows: table.rows,
        shards,
        ...(saeDir === undefined ? {} : { saeDir }),
        trainSeconds,
        collectSeconds,
        evalSeconds,
        lastStep: trained.last,
        notes: trained.notes,
        eval: evaluation,
        features: all,
        steering,
      };
    } finally {
      sae.dispose();
    }
  } finally {
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
    // A backend this function chose is this function's to release (the pool's threads).
    if (typeof options.backend !== 'object') await backend.destroy();
  }
}

/**
 * The steering shown: the requested feature (value default: half its largest activation), or
 * else the word feature whose steering most raises the count of its word (chooseSteeringFeature).
 */
function chooseSteering(
  features: readonly FeatureSummary[],
  before: string,
  steered: (feature: number, value: number) => string,
  options: PipelineOptions,
): SteeringResult {
  const requested = options.steerFeature;
  if (requested === undefined) {
    const picked = chooseSteeringFeature(features, before, steered);
    if (picked !== undefined) {
      const { feature, value, word, story, countBefore, countAfter } = picked;
      return { feature, value, word, before, after: story, countBefore, countAfter };
    }
  }
  // Requested, or nothing qualified: the feature asked for, else the most frequent one.
  const feature = requested ?? features[0]?.feature ?? 0;
  const summary = features.find((f) => f.feature === feature);
  const value = options.steerValue ?? 0.5 * (summary?.maxActivation ?? 1);
  const after = steered(feature, value);
  const word = summary?.contexts[0]?.token.trim() ?? '';
  return {
    feature,
    value,
    word,
    before,
    after,
    countBefore: countWord(before, word),
    countAfter: countWord(after, word),
  };
}

/** The top features' contexts as printable lines. */
export function describeFeatures(
  features: readonly FeatureSummary[],
  count: number,
  perFeature: number,
): string[] {
  const lines: string[] = [];
  for (const f of features.slice(0, count)) {
    lines.push(
      `feature ${f.feature}: fires on ${f.count} tokens, max ${f.maxActivation.toFixed(2)}`,
    );
    for (const c of f.contexts.slice(0, perFeature)) lines.push(`  ${formatContext(c)}`);
  }
  return lines;
}

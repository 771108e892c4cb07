import {
  isDenseArchitecture,
  type JsonObject,
  type RunSnapshot,
  type RunSource,
  syntheticSource,
  TRAIN_CONFIG_FIELDS,
  type TrainableArchitecture,
  type TrainConfigInput,
} from '@saekit/core';
import { datasetSource } from '@saekit/io';
import { syntheticSeed } from './synthetic-seed.js';

/** What the CLI keeps with a run: how to reopen its data, and labels for its SAE. */
export type TrainMeta = {
  data: string | null;
  synthetic: boolean;
  syntheticFeatures: number | null;
  syntheticActive: number;
  shuffleBuffer: number | null;
  modelName: string | null;
  hookName: string | null;
};
export const META_KEYS = [
  'data',
  'synthetic',
  'syntheticFeatures',
  'syntheticActive',
  'shuffleBuffer',
  'modelName',
  'hookName',
] as const;

/** The command line's data options, as `saekit train` parses them. */
export interface DataOptions {
  readonly data?: string;
  readonly synthetic?: boolean;
  readonly syntheticFeatures?: number;
  readonly syntheticActive?: number;
  readonly shuffleBuffer?: number;
  readonly modelName?: string;
  readonly hookName?: string;
}

/** A new run's metadata, from the command line's data options. */
export function newMeta(o: DataOptions): TrainMeta {
  return {
    data: o.data ?? null,
    synthetic: o.synthetic === true,
    syntheticFeatures: o.syntheticFeatures ?? null,
    syntheticActive: o.syntheticActive ?? 4,
    shuffleBuffer: o.shuffleBuffer ?? null,
    modelName: o.modelName ?? null,
    hookName: o.hookName ?? null,
  };
}

/**
 * The run's batches: the shards, or the seeded synthetic generator. A transcoder's
 * (`targetTensor`) are paired: the shards' target tensor, or synthetic targets decoded
 * through the generator's second dictionary.
 */
export async function openSource(
  meta: TrainMeta,
  batchSize: number,
  seed: number,
  dIn: number | undefined,
  targetTensor: string | null = null,
): Promise<RunSource> {
  if (meta.synthetic) {
    const width = dIn ?? 64;
    return syntheticSource({
      dIn: width,
      nFeatures: meta.syntheticFeatures ?? 4 * width,
      activePerToken: meta.syntheticActive,
      batchSize,
      seed: syntheticSeed(seed),
      ...(targetTensor === null ? {} : { transcoder: true }),
    });
  }
  return datasetSource(meta.data ?? '', {
    batchSize,
    seed,
    ...(targetTensor === null ? {} : { targetTensorName: targetTensor }),
    epochs: Number.POSITIVE_INFINITY,
    ...(meta.shuffleBuffer === null ? {} : { shuffleBuffer: meta.shuffleBuffer }),
  });
}

/** The metadata values typed on this command line, for a resumed run to check. */
export function givenMeta(
  o: { readonly [option: string]: unknown },
  given: (attribute: string) => boolean,
): Partial<TrainMeta> {
  const out: Record<string, unknown> = {};
  for (const key of META_KEYS) if (given(key) && o[key] !== undefined) out[key] = o[key];
  return out as Partial<TrainMeta>;
}

/** SAELens cfg metadata for a checkpoint's SAE. */
export function saeMetadata(snapshot: RunSnapshot): JsonObject {
  const meta = snapshot.metadata as TrainMeta;
  return {
    model_name: meta.modelName ?? (meta.synthetic ? 'synthetic' : 'unknown'),
    hook_name: meta.hookName ?? 'unknown',
    ...(meta.data === null ? {} : { dataset_path: meta.data }),
  };
}

/** A new run's config: the given values, the data's width, and the CLI's own defaults. */
export function newConfig(values: Record<string, unknown>, dIn: number): TrainConfigInput {
  const config: Record<string, unknown> = { ...values, dIn, dSae: values.dSae ?? 8 * dIn };
  for (const f of TRAIN_CONFIG_FIELDS) {
    const d = 'cli' in f && 'default' in f.cli ? f.cli.default : undefined;
    if (d !== undefined && config[f.key] === undefined) config[f.key] = d;
  }
  // jumprelu and standard learn their sparsity: they take no k.
  if (values.k === undefined && isDenseArchitecture(config.architecture as TrainableArchitecture)) {
    delete config.k;
  }
  // --tokens sets the length instead of --steps' default.
  if (values.totalTokens !== undefined && values.steps === undefined) delete config.steps;
  return config as unknown as TrainConfigInput;
}

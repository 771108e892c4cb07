import { type Json, SyntheticActivations } from '@saekit/core';
import { ActivationDataset, type DatasetPosition } from '@saekit/io';
import { syntheticSeed } from './synthetic-seed.js';

/** Where training batches come from: activation shards or the synthetic generator. */
export interface TrainingSource {
  readonly dIn: number;
  batches(): AsyncIterable<Float32Array>;
  /** JSON that `position` reopens at exactly the next batch. */
  position(): Json;
  /** Synthetic data only: the true dictionary [nFeatures, dIn], to score feature recovery. */
  readonly dictionary?: Float32Array;
}

export interface SourceOptions {
  readonly data?: string;
  readonly synthetic: boolean;
  readonly dIn?: number;
  readonly syntheticFeatures?: number;
  readonly syntheticActive: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffleBuffer?: number;
  readonly position?: Json;
}

export async function openTrainingSource(o: SourceOptions): Promise<TrainingSource> {
  if (o.synthetic) return syntheticSource(o);
  const dataset = await ActivationDataset.open(o.data ?? '', {
    batchSize: o.batchSize,
    seed: o.seed,
    epochs: Number.POSITIVE_INFINITY,
    ...(o.shuffleBuffer !== undefined && { shuffleBuffer: o.shuffleBuffer }),
    ...(isPosition(o.position) && { position: o.position }),
  });
  return {
    dIn: dataset.dIn,
    batches: () => dataset,
    position: () => dataset.position() as Json,
  };
}

/**
 * The synthetic generator is a pure function of its seed and how many batches were drawn,
 * so its position is that count and resuming replays the draws (cheap next to training).
 */
function syntheticSource(o: SourceOptions): TrainingSource {
  const dIn = o.dIn ?? 64;
  const generator = new SyntheticActivations({
    dIn,
    nFeatures: o.syntheticFeatures ?? 4 * dIn,
    activePerToken: o.syntheticActive,
    seed: syntheticSeed(o.seed),
  });
  let drawn = 0;
  const skip = typeof o.position === 'number' ? o.position : 0;
  return {
    dIn,
    dictionary: generator.dictionary,
    position: () => drawn,
    batches: () => ({
      async *[Symbol.asyncIterator]() {
        for (; drawn < skip; drawn++) generator.batch(o.batchSize);
        while (true) {
          drawn++;
          yield generator.batch(o.batchSize);
        }
      },
    }),
  };
}

function isPosition(p: Json | undefined): p is DatasetPosition {
  return (
    typeof p === 'object' &&
    p !== null &&
    !Array.isArray(p) &&
    p.format === 'saekit-dataset-position'
  );
}

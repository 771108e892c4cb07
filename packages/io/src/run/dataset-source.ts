import { resolve } from 'node:path';
import type { RunSource } from '@saekit/core';
import {
  ActivationDataset,
  type ActivationDatasetOptions,
  type DatasetPosition,
} from '../dataset/activation-dataset.js';

/**
 * Activation shards as a TrainingRun source: positions are the dataset's own (they carry
 * its shuffle settings and each shard's content identity, so resuming over changed data is
 * refused naming the shard, while moved data resumes). `spec` is the spec made absolute,
 * for the caller to save with the run.
 */
export async function datasetSource(
  spec: string,
  options: Omit<ActivationDatasetOptions, 'position'>,
): Promise<RunSource & { readonly dataset: ActivationDataset; readonly spec: string }> {
  const dataset = await ActivationDataset.open(spec, options);
  return {
    dataset,
    // What to save with the run: the same data from any working directory.
    spec: resolve(spec),
    dIn: dataset.dIn,
    positionAt: (batches) => dataset.positionAt(batches),
    open: (position) =>
      position === null
        ? dataset
        : ActivationDataset.open(spec, { ...options, position: position as DatasetPosition }),
  };
}

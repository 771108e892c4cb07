import type { RunSource } from '@saekit/core';
import {
  ActivationDataset,
  type ActivationDatasetOptions,
  type DatasetPosition,
} from '../dataset/activation-dataset.js';

/**
 * Activation shards as a TrainingRun source: positions are the dataset's own (they carry
 * its shuffle settings and a fingerprint of the shards, so resuming over other data is
 * refused).
 */
export async function datasetSource(
  spec: string,
  options: Omit<ActivationDatasetOptions, 'position'>,
): Promise<RunSource & { readonly dataset: ActivationDataset }> {
  const dataset = await ActivationDataset.open(spec, options);
  return {
    dataset,
    dIn: dataset.dIn,
    positionAt: (batches) => dataset.positionAt(batches),
    open: (position) =>
      position === null
        ? dataset
        : ActivationDataset.open(spec, { ...options, position: position as DatasetPosition }),
  };
}

import type { BackendDescriptor } from '../backend/descriptor.js';
import { LimitError } from '../errors.js';
import { isBatchTopK, type TrainConfig } from './config.js';

/**
 * Refuses a config the backend's device cannot run, before anything is allocated, naming the
 * config key and the device limit (e.g. k_aux above a GPU's largest top-k).
 */
export function checkConfigLimits(config: TrainConfig, descriptor: BackendDescriptor): void {
  const { limits, name } = descriptor;
  const batchTopK = isBatchTopK(config.architecture);
  // The dense architectures (jumprelu, standard) select nothing per row while training.
  const selections: [string, number][] = [
    ...(config.k === null
      ? []
      : ([['k', batchTopK ? config.batchTopKCap : config.k]] as [string, number][])),
    ...(config.auxkAlpha > 0 ? ([['kAux', config.kAux]] as [string, number][]) : []),
  ];
  for (const [key, k] of selections) {
    if (k > limits.maxTopK) {
      throw new LimitError(
        key === 'k' && batchTopK ? 'batchTopKCap' : key,
        name,
        `maxTopK = ${limits.maxTopK}`,
        `a top-k of ${k} per row is more than the device supports`,
      );
    }
  }
  // The largest tensors a step allocates: the [batch, dSae] pre-activations and the weights.
  const tensors: [string, number][] = [
    ['batchSize', config.batchSize * config.dSae * 4],
    ['dSae', config.dSae * config.dIn * 4],
  ];
  for (const [key, bytes] of tensors) {
    if (bytes > limits.maxTensorBytes) {
      throw new LimitError(
        key,
        name,
        `maxTensorBytes = ${limits.maxTensorBytes}`,
        `a step needs a tensor of ${bytes} bytes`,
      );
    }
  }
}

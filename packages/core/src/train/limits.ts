import type { BackendDescriptor } from '../backend/descriptor.js';
import { LimitError } from '../errors.js';
import type { TrainConfig } from './config.js';

/**
 * Refuses a config the backend's device cannot run, before anything is allocated, naming the
 * config key and the device limit (e.g. k_aux above a GPU's largest top-k).
 */
export function checkConfigLimits(config: TrainConfig, descriptor: BackendDescriptor): void {
  const { limits, name } = descriptor;
  const selections: [string, number][] = [
    ['k', config.architecture === 'batchtopk' ? config.batchTopKCap : config.k],
    ...(config.auxkAlpha > 0 ? ([['kAux', config.kAux]] as [string, number][]) : []),
  ];
  for (const [key, k] of selections) {
    if (k > limits.maxTopK) {
      throw new LimitError(
        key === 'k' && config.architecture === 'batchtopk' ? 'batchTopKCap' : key,
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

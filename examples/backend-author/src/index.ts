import type { BackendFactory } from '@saekit/core';
import { NaiveBackend } from './backend.js';

export { NaiveBackend } from './backend.js';
export { NaiveTensor } from './tensor.js';

export function createNaiveBackend(): NaiveBackend {
  return new NaiveBackend();
}

/**
 * How saekit finds the backend: register this with a BackendRegistry. The lowest priority
 * here, so `auto` prefers any real backend and picks `naive` only when asked by name.
 */
export const naiveBackend: BackendFactory = {
  name: 'naive',
  priority: -100,
  create: async () => createNaiveBackend(),
};

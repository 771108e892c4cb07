import type { BackendFactory } from '@saekit/core';
import { createNaiveBackend } from './backend.js';

export { createNaiveBackend, type NaiveBackend } from './backend.js';
export { NaiveTensor } from './tensor.js';

/**
 * How saekit finds the backend: register this with a BackendRegistry. The lowest priority
 * here, so `auto` prefers any real backend and picks `naive` only when asked by name.
 */
export const naiveBackend: BackendFactory = {
  name: 'naive',
  priority: -100,
  probe: async () => ({ ok: true, kind: 'cpu-native', device: 'JavaScript loops' }),
  create: async () => createNaiveBackend(),
};

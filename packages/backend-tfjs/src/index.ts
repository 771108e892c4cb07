import type { BackendFactory } from '@saekit/core';
import { TfjsBackend } from './backend.js';
import { chooseTfjsBackend, type TfjsChoiceOptions } from './choose.js';

export { TfjsBackend } from './backend.js';
export type { TfjsChoice, TfjsChoiceOptions, TfjsKind } from './choose.js';
export { DEFAULT_PREFERENCE } from './choose.js';
export { TfjsTensor } from './handle.js';

export type TfjsBackendOptions = TfjsChoiceOptions;

/**
 * A saekit backend on TensorFlow.js. Tries `prefer` in order (default: 'tensorflow' from
 * @tensorflow/tfjs-node-gpu or -node when installed, then 'wasm', then 'cpu'); the result's
 * `choice` says which one runs and why the others were skipped.
 */
export async function createTfjsBackend(options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
  return new TfjsBackend(await chooseTfjsBackend(options));
}

/** For a BackendRegistry: between WebGPU (100) and the reference cpu backend (0). */
export const tfjsBackend: BackendFactory<TfjsBackendOptions> = {
  name: 'tfjs',
  priority: 50,
  create: (options?: TfjsBackendOptions) => createTfjsBackend(options),
};

import { type BackendFactory, type BackendProbe, BackendUnavailableError } from '@saekit/core';
import { defineTfjsBackend, describeChoice, type TfjsBackend } from './backend.js';
import { chooseTfjsBackend, type TfjsChoiceOptions } from './choose.js';

export type { TfjsBackend, TfjsExtras } from './backend.js';
export { defineTfjsBackend } from './backend.js';
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
  return defineTfjsBackend(await chooseTfjsBackend(options));
}

/**
 * Where each tfjs engine ranks among the CPU backends, measured with `saekit bench --backends
 * cpu,tfjs --config small medium --steps 3` on 2 cores: native TensorFlow and wasm (XNNPACK's
 * SIMD matmul) beat the reference cpu backend; tfjs's own cpu kernels are ~15× slower than
 * it, so `auto` ranks that engine below cpu.
 */
const ENGINE_PRIORITY = { tensorflow: 50, wasm: 30, cpu: -10 } as const;

/** For a BackendRegistry; the probe starts the engine tfjs would use (its choice is global). */
export const tfjsBackend: BackendFactory<TfjsBackendOptions> = {
  name: 'tfjs',
  priority: ENGINE_PRIORITY.tensorflow,
  async probe(): Promise<BackendProbe> {
    try {
      const choice = await chooseTfjsBackend();
      const d = describeChoice(choice);
      return { ok: true, kind: d.kind, device: d.device, priority: ENGINE_PRIORITY[choice.kind] };
    } catch (err) {
      const reason = err instanceof BackendUnavailableError ? err.reason : String(err);
      return { ok: false, reason };
    }
  },
  create: (options?: TfjsBackendOptions) => createTfjsBackend(options),
};

/** JSON values, for the parts of a training state that are not arrays. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * Everything a run needs to continue exactly where it stopped. Core fills it; io writes it
 * to disk (atomically) without knowing what the keys mean.
 */
export interface TrainingState {
  readonly format: 'saekit-training-state';
  readonly version: 1;
  /** Config, step, schedule position, input scale, RNG state, data position, ... */
  readonly meta: JsonObject;
  /** Weights, Adam moments, dead-latent counters, firing counts, ... */
  readonly arrays: Readonly<Record<string, Float32Array | Int32Array>>;
}

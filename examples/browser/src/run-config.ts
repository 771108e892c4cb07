/**
 * The page's default run: chosen so a first visit ends with the dictionary found, not only
 * FVU falling. 300 steps of 256 tokens with lr 0.02 and k 4 recover about 123 of the 128
 * true features on the cpu backend (test/defaults.test.ts checks the same config on cpu).
 * The design-rule learning rate (2e-4 / sqrt(dSae / 2^14) = 1.6e-3 here) is tuned for long
 * runs on real activations and recovers none of them in 300 steps.
 */
export const DEFAULT_RUN = {
  steps: 300,
  dIn: 32,
  dSae: 256,
  k: 4,
  batch: 256,
  seed: 1,
  lr: 0.02,
} as const;

export type RunParams = { -readonly [K in keyof typeof DEFAULT_RUN]: number };

/** Twice as many latents as true features: room to find each one. */
export const trueFeatures = (p: RunParams) => p.dSae / 2;

/**
 * The trainer's config for a run. Its seed must differ from the data's: both draw unit
 * rows of normals from the same generator, so equal seeds would start the decoder on the
 * true dictionary.
 */
export function trainerConfig(p: RunParams) {
  return {
    dIn: p.dIn,
    dSae: p.dSae,
    k: p.k,
    batchSize: p.batch,
    steps: p.steps,
    seed: p.seed + 1,
    lr: p.lr,
  };
}

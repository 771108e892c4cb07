/**
 * Architectures the trainer can train. topk / batchtopk select latents per token or per batch
 * and decode sparsely; matryoshka (Bussmann et al. 2025) is BatchTopK trained on the sum of the
 * reconstruction losses of nested latent prefixes; jumprelu (Rajamanoharan et al. 2024) and standard (ReLU + L1, Anthropic's
 * April 2024 update) keep every latent above a threshold and decode densely through matmul.
 */
export const TRAINABLE_ARCHITECTURES = [
  'topk',
  'batchtopk',
  'matryoshka',
  'jumprelu',
  'standard',
] as const;

export type TrainableArchitecture = (typeof TRAINABLE_ARCHITECTURES)[number];

/** Architectures that select with BatchTopK (one threshold over the batch; θ for inference). */
export function isBatchTopK(a: TrainableArchitecture): boolean {
  return a === 'batchtopk' || a === 'matryoshka';
}

/** Architectures whose training step is dense (every latent may fire; no top-k, no AuxK). */
export function isDenseArchitecture(a: TrainableArchitecture): boolean {
  return a === 'jumprelu' || a === 'standard';
}

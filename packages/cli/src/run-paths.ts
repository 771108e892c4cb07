import { join } from 'node:path';

/** The files of a training run folder (SAELens layout plus saekit's own files). */
export function runPaths(dir: string) {
  return {
    dir,
    cfg: join(dir, 'cfg.json'),
    weights: join(dir, 'sae_weights.safetensors'),
    sparsity: join(dir, 'sparsity.safetensors'),
    metrics: join(dir, 'metrics.jsonl'),
    state: join(dir, 'training_state.safetensors'),
    report: join(dir, 'report.html'),
  };
}

import { type LoadedSae, loadSae } from '@saekit/io';
import { UsageError } from './errors.js';

/**
 * Loads an SAE for a command and tells the user, on stderr, how the checkpoint was
 * reinterpreted (an old SAELens Top-K config, folded decoder norms...).
 */
export async function loadSaeForCommand(path: string, hookpoint?: string): Promise<LoadedSae> {
  const loaded = await loadSae(path, hookpoint === undefined ? {} : { hookpoint });
  for (const note of loaded.notes) process.stderr.write(`note: ${note}\n`);
  return loaded;
}

/**
 * The target tensor a transcoder is scored against: the one given, else the one it was
 * trained on (cfg.saekit.train_config.targetTensor). An SAE takes none.
 */
export function targetTensorOf(loaded: LoadedSae, given: string | undefined): string | undefined {
  if (loaded.weights.transcoder !== true) {
    if (given !== undefined) {
      throw new UsageError('--target-tensor', 'this SAE is not a transcoder: it has no target');
    }
    return undefined;
  }
  const saekit = loaded.cfg['saekit'];
  const config =
    typeof saekit === 'object' && saekit !== null && !Array.isArray(saekit)
      ? saekit['train_config']
      : undefined;
  const trained =
    typeof config === 'object' && config !== null && !Array.isArray(config)
      ? config['targetTensor']
      : undefined;
  const name = given ?? (typeof trained === 'string' ? trained : undefined);
  if (name === undefined) {
    throw new UsageError(
      '--target-tensor',
      'this SAE is a transcoder and its checkpoint does not say which tensor it predicts: name the shards’ target tensor',
    );
  }
  return name;
}

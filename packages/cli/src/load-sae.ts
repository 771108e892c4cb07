import { type LoadedSae, loadSae } from '@saekit/io';

/**
 * Loads an SAE for a command and tells the user, on stderr, how the checkpoint was
 * reinterpreted (an old SAELens Top-K config, folded decoder norms...).
 */
export async function loadSaeForCommand(path: string, hookpoint?: string): Promise<LoadedSae> {
  const loaded = await loadSae(path, hookpoint === undefined ? {} : { hookpoint });
  for (const note of loaded.notes) process.stderr.write(`note: ${note}\n`);
  return loaded;
}

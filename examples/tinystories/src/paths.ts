import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable that points at the folder holding `stories260K.bin` and `tok512.bin`. */
export const MODELS_DIR_ENV = 'SAEKIT_MODELS_DIR';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Where the shared models live: `$SAEKIT_MODELS_DIR` when set, else the first `shared/models`
 * found beside the repository root or beside one of its ancestors (a clone has `shared/`
 * beside it; a git worktree nested deeper finds the same folder further up). The models are
 * never committed into the repository.
 */
export function resolveModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[MODELS_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  let dir = dirname(repoRoot);
  for (;;) {
    const candidate = join(dir, 'shared', 'models');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return join(dirname(repoRoot), 'shared', 'models');
    dir = parent;
  }
}

export interface ModelFiles {
  readonly dir: string;
  readonly model: string;
  readonly tokenizer: string;
}

/** Paths of the TinyStories 260K model and its tokenizer, and whether both exist. */
export function storiesModelFiles(dir = resolveModelsDir()): ModelFiles & { present: boolean } {
  const model = join(dir, 'stories260K.bin');
  const tokenizer = join(dir, 'tok512.bin');
  return { dir, model, tokenizer, present: existsSync(model) && existsSync(tokenizer) };
}

import { Tokenizer } from '../src/model/tokenizer.js';
import { Transformer } from '../src/model/transformer.js';
import { MODELS_DIR_ENV, storiesModelFiles } from '../src/paths.js';

/** The shared models, and whether tests that need them should skip (never under CI=true). */
export const files = storiesModelFiles();
export const skipWithoutModels = !files.present && process.env.CI !== 'true';
if (skipWithoutModels) {
  console.warn(
    `tinystories tests skipped: ${files.dir} lacks stories260K.bin and tok512.bin ` +
      `(put the shared models beside the repository, or set ${MODELS_DIR_ENV})`,
  );
}

let loaded: { model: Transformer; tokenizer: Tokenizer } | undefined;

/**
 * The model and tokenizer, loaded on first use: vitest runs the bodies of skipped describe
 * blocks too, so loading there would fail where the models are absent.
 */
export function stories(): { model: Transformer; tokenizer: Tokenizer } {
  if (loaded === undefined) {
    const model = Transformer.load(files.model);
    loaded = { model, tokenizer: Tokenizer.load(files.tokenizer, model.config.vocabSize) };
  }
  return loaded;
}

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

import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { bundledOptions } from '../tsup.config.js';

const pkgRoot = fileURLToPath(new URL('..', import.meta.url));
// Under node_modules so linters and git never see the build.
export const BIN_DIR = `${pkgRoot}node_modules/.cache/saekit-test-bin`;

/** Builds the `saekit` binary the end-to-end tests run (core and io bundled from source). */
export default async function setup(): Promise<void> {
  const cwd = process.cwd();
  process.chdir(pkgRoot);
  try {
    await build(bundledOptions(BIN_DIR));
  } finally {
    process.chdir(cwd);
  }
}

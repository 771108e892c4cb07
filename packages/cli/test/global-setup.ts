import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { bundledOptions } from '../tsup.config.js';

const pkgRoot = fileURLToPath(new URL('..', import.meta.url));
export const BIN_DIR = `${pkgRoot}.tmp/test-dist`;

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

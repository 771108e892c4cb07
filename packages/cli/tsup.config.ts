import { defineConfig, type Options } from 'tsup';

/**
 * The published build keeps @saekit/* external (shared with the user's install); the
 * optional backend packages are always external and loaded by dynamic import.
 * `bundledOptions` bundles core and io from their TypeScript sources instead, so the tests
 * can run a real `saekit` binary without building every package first.
 */
export const baseOptions: Options = {
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  splitting: true,
  external: ['@saekit/backend-webgpu', '@saekit/backend-tfjs'],
};

export function bundledOptions(outDir: string): Options {
  return {
    ...baseOptions,
    entry: { cli: 'src/cli.ts' },
    outDir,
    dts: false,
    sourcemap: false,
    silent: true,
    noExternal: ['@saekit/core', '@saekit/io'],
    esbuildOptions(options) {
      options.conditions = ['source'];
    },
  };
}

export default defineConfig({ ...baseOptions, dts: { entry: { index: 'src/index.ts' } } });

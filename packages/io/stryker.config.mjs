// StrykerJS over io's format readers and the dataset's position / shuffle logic: what turns
// bytes into the arrays a run trains on. `pnpm mutation` (not part of `pnpm test`).
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // Tests import sibling packages through source aliases (vitest.shared.ts) that point at the
  // real files, so mutants must be written in place, not into a sandbox copy.
  inPlace: true,
  mutate: [
    'src/formats/safetensors.ts',
    'src/formats/npy.ts',
    'src/formats/npz.ts',
    'src/dataset/activation-dataset.ts',
  ],
  // Error-message text is not behaviour; the typed errors themselves are tested.
  mutator: { excludedMutations: ['StringLiteral'] },
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 1,
  // Net test time per mutant is seconds; a mutant that loops is cut off well before a minute.
  timeoutMS: 15_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
};

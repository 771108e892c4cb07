// StrykerJS over core's training graph (src/train/graph.ts): the update step every backend
// runs. The cpu kernels it calls have their own run (stryker.kernels.config.mjs) with a
// narrower test list. `pnpm mutation` (not part of `pnpm test`): slow, run it on its own.
// Results: reports/mutation/ (html + json); reruns reuse reports/stryker-incremental.json.
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // Tests import sibling packages through source aliases (vitest.shared.ts) that point at the
  // real files, so mutants must be written in place, not into a sandbox copy.
  inPlace: true,
  mutate: ['src/train/graph.ts'],
  // Error-message text is not numerics; the typed errors themselves are tested elsewhere.
  mutator: { excludedMutations: ['StringLiteral'] },
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  // The machine running this is usually shared: one test process, never more.
  concurrency: 1,
  timeoutMS: 60_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
};

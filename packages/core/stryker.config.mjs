// StrykerJS over the numerically critical code of core: the training graph and the cpu
// kernels the graph depends on. `pnpm mutation` (not part of `pnpm test`): slow, run it on
// its own. Results: reports/mutation/ (html + json); reruns reuse reports/stryker-incremental.json.
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // Tests import sibling packages through source aliases (vitest.shared.ts) that point at the
  // real files, so mutants must be written in place, not into a sandbox copy.
  inPlace: true,
  // The update step and the selections a real device takes different paths for; the other
  // cpu kernels are plain loops the conformance oracle pins down element by element. Kept
  // narrow so a run fits in about an hour on two shared cores.
  mutate: [
    'src/train/graph.ts',
    'src/backends/cpu/kernels/{topk,kth-largest,adam,remove-parallel}.ts',
  ],
  // Error-message text is not numerics; the typed errors themselves are tested elsewhere.
  mutator: { excludedMutations: ['StringLiteral'] },
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 1,
  timeoutMS: 60_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
};

// StrykerJS over the numerically critical cpu kernels: the selections (topk, kthLargest and
// BatchTopK's thresholdRelu), the sparse products (gatherDot, gatherSum, scatterOuterAdd), Adam,
// the norms and reductions behind clipping (reduce, normalizeRows, removeParallel) and the
// device-scale rule a clip factor is evaluated with. The other kernels are plain loops the
// conformance oracle pins element by element. Its own test list (vitest.mutation-kernels.config.ts):
// the conformance suite and the hand-checked kernel tests, not the trainer scenarios.
// Results: reports/kernels/ (html + json); reruns reuse reports/stryker-kernels-incremental.json.
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation-kernels.config.ts', related: false },
  // In place for the same reason as stryker.config.mjs (source aliases).
  inPlace: true,
  mutate: [
    'src/backends/cpu/kernels/{topk,kth-largest,threshold-relu}.ts',
    'src/backends/cpu/kernels/{gather-dot,gather-sum,scatter-outer-add}.ts',
    'src/backends/cpu/kernels/{adam,reduce,normalize-rows,remove-parallel}.ts',
    'src/backends/cpu/sparse.ts',
    'src/backend/scale.ts',
  ],
  mutator: { excludedMutations: ['StringLiteral'] },
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  // The machine running this is usually shared: one test process, never more.
  concurrency: 1,
  // Net test time per mutant is seconds; a mutant that loops is cut off well before a minute.
  timeoutMS: 15_000,
  incremental: true,
  incrementalFile: 'reports/stryker-kernels-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/kernels/mutation.html' },
  jsonReporter: { fileName: 'reports/kernels/mutation.json' },
  tempDirName: '.stryker-tmp',
};

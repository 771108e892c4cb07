// Feature recovery when the number of active features varies from token to token (the README's
// "On synthetic ground truth" density table): Top-K, BatchTopK and JumpReLU at L0 ≈ 3 on the
// JumpReLU test's data (recoveryData) as it is, and with `denseTokens` mixtures of the same
// mean, over data seeds 1–3. dSae 128, batches of 256, lr 0.01; Top-K (k 3 and 4) 1000 steps, the others
// 2000 (as in train-architectures-synthetic.test.ts).
//   pnpm --filter @saekit/core exec tsx bench/synthetic-density.ts [--seeds 1,2,3]
// One `figures` line per run, then a markdown table: mean over seeds [min, max]. Minutes on
// the cpu backend; not part of `pnpm bench` (it measures what training finds, not how fast).
import type { SyntheticOptions } from '../src/index.js';
import {
  activeCounts,
  jumpreluTargetL0Three,
  type Outcome,
  recoveryData,
  train,
} from '../test/synthetic-train.js';

const args = process.argv.slice(2);
const at = args.indexOf('--seeds');
const seeds = at >= 0 ? args[at + 1]!.split(',').map(Number) : [1, 2, 3];

const setups: readonly (readonly [string, SyntheticOptions['denseTokens']])[] = [
  ['independent firing (as is)', undefined],
  ['40% of tokens ~6 active, 60% ~1', { fraction: 0.4, activePerToken: 6 }],
  ['25% of tokens ~10 active, 75% ~0.67', { fraction: 0.25, activePerToken: 10 }],
];
const shape = { dIn: 32, dSae: 128, batchSize: 256, lr: 0.01, seed: 0 };
const architectures = [
  ['topk k = 3, 1000 steps', { ...shape, steps: 1000, k: 3 }],
  // Top-K's L0 falls below k where many tokens carry fewer than k features: k = 4 brings it
  // back to about 3.
  ['topk k = 4, 1000 steps', { ...shape, steps: 1000, k: 4 }],
  ['batchtopk k = 3, 2000', { ...shape, steps: 2000, k: 3, architecture: 'batchtopk' }],
  ['jumprelu targetL0 = 3, 2000', { ...shape, ...jumpreluTargetL0Three }],
] as const;

const cell = (runs: readonly Outcome[], f: (o: Outcome) => number, digits: number) => {
  const v = runs.map(f);
  const mean = v.reduce((a, x) => a + x, 0) / v.length;
  return `${mean.toFixed(digits)} [${Math.min(...v).toFixed(digits)}, ${Math.max(...v).toFixed(digits)}]`;
};

const rows: string[] = [];
for (const [label, denseTokens] of setups) {
  const variances = seeds.map(
    (s) => activeCounts({ ...recoveryData(s), denseTokens }, 8192).variance,
  );
  const variance = (variances.reduce((a, v) => a + v, 0) / variances.length).toFixed(1);
  for (const [arch, config] of architectures) {
    const runs: Outcome[] = [];
    for (const seed of seeds) {
      runs.push(
        await train(
          `${arch} | ${label} | seed ${seed}`,
          { ...recoveryData(seed), denseTokens },
          config,
        ),
      );
    }
    rows.push(
      `| ${label} (count variance ${variance}) | ${arch} | ${cell(runs, (o) => o.recovered, 3)} | ${cell(runs, (o) => o.l0, 2)} | ${cell(runs, (o) => o.fvu, 3)} |`,
    );
  }
}
process.stdout.write(
  `\n| data | SAE | recovered | L0 | FVU |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
);

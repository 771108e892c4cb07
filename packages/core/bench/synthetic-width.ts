// Feature recovery against width on core's synthetic ground truth (the README's "On synthetic
// ground truth" width table): Top-K, BatchTopK and JumpReLU at L0 ≈ 3 for each dSae given.
//   pnpm --filter @saekit/core exec tsx bench/synthetic-width.ts [--seed S] [dSae ...]
// One `figures` line per run (cpu backend; minutes at dSae 512). Not part of `pnpm bench`: it
// measures what training finds, not how fast.
import { jumpreluTargetL0Three, recoveryData, train } from '../test/synthetic-train.js';

const args = process.argv.slice(2);
const at = args.indexOf('--seed');
const seed = at >= 0 ? Number(args.splice(at, 2)[1]) : 1;
const widths = args.length > 0 ? args.map(Number) : [128, 256, 512];
const data = recoveryData(seed);
for (const dSae of widths) {
  const shape = { dIn: 32, dSae, batchSize: 256, lr: 0.01, seed: 0 };
  const tag = `dSae ${dSae} seed ${seed}`;
  await train(`topk k=3 ${tag}`, data, { ...shape, steps: 1000, k: 3 });
  await train(`batchtopk k=3 ${tag}`, data, {
    ...shape,
    steps: 2000,
    k: 3,
    architecture: 'batchtopk',
  });
  const jump = { ...shape, ...jumpreluTargetL0Three };
  await train(`jumprelu targetL0=3 ${tag}`, data, jump);
  await train(`jumprelu targetL0=3 pre-act 0.1 ${tag}`, data, {
    ...jump,
    jumpreluPreActCoefficient: 0.1,
  });
}

/**
 * The TinyStories example end to end: `pnpm --filter @saekit/example-tinystories start`
 * (or `pnpm exec tsx --conditions=source src/run.ts` in this folder). Settings come from
 * environment variables so the script needs no CLI: TS_LAYER, TS_TRAIN_STORIES,
 * TS_HELDOUT_STORIES, TS_DSAE, TS_K, TS_STEPS, TS_BATCH, TS_SEED, TS_FEATURE, TS_VALUE,
 * TS_BACKEND (auto, cpu or onnxruntime);
 * TS_OUT (a folder to keep the activation shards and the SAE in), and SAEKIT_MODELS_DIR for
 * the models folder.
 */
import type { BackendChoice } from './backend.js';
import { MODELS_DIR_ENV, storiesModelFiles } from './paths.js';
import { describeFeatures, type PipelineOptions, runPipeline } from './pipeline.js';

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new Error(`${name}=${raw} is not a number`);
  return v;
}

function backendChoice(raw: string | undefined): BackendChoice | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'auto' || raw === 'cpu' || raw === 'onnxruntime') return raw;
  throw new Error(`TS_BACKEND=${raw} is not auto, cpu or onnxruntime`);
}

const files = storiesModelFiles();
if (!files.present) {
  console.error(
    `No models in ${files.dir}: put stories260K.bin and tok512.bin there, or set ${MODELS_DIR_ENV}.`,
  );
  process.exit(1);
}

const options: PipelineOptions = {
  files,
  layer: envInt('TS_LAYER'),
  trainStories: envInt('TS_TRAIN_STORIES'),
  heldOutStories: envInt('TS_HELDOUT_STORIES'),
  dSae: envInt('TS_DSAE'),
  k: envInt('TS_K'),
  steps: envInt('TS_STEPS'),
  batchSize: envInt('TS_BATCH'),
  seed: envInt('TS_SEED'),
  steerFeature: envInt('TS_FEATURE'),
  steerValue: envInt('TS_VALUE'),
  outDir: process.env['TS_OUT'] || undefined,
  backend: backendChoice(process.env['TS_BACKEND']),
};
const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));

const started = performance.now();
const result = await runPipeline({
  ...defined,
  log: (line) => console.log(line),
  onStep: (m) => {
    if (m.step % 250 === 0) {
      console.log(
        `  step ${m.step}: FVU ${m.fvu.toFixed(4)}  L0 ${m.l0.toFixed(1)}  dead ${m.deadFraction.toFixed(3)}  ${Math.round(m.tokensPerSecond)} tok/s`,
      );
    }
  },
});

const e = result.eval;
console.log(`\nheld-out evaluation at layer ${result.layer} (${e.tokens} predicted tokens):`);
console.log(`  FVU (held-out tokens)       ${e.fvu.toFixed(4)}`);
console.log(`  CE clean                    ${e.ceClean.toFixed(4)} nats/token`);
console.log(`  CE spliced (SAE)            ${e.ceSpliced.toFixed(4)}`);
console.log(`  CE zero-ablated             ${e.ceZero.toFixed(4)}`);
if (e.ceMean !== undefined) console.log(`  CE mean-ablated             ${e.ceMean.toFixed(4)}`);
console.log(`  loss recovered (vs zero)    ${(100 * e.lossRecovered).toFixed(2)} %`);
if (e.ceMean !== undefined) {
  const vsMean = (e.ceMean - e.ceSpliced) / (e.ceMean - e.ceClean);
  console.log(`  loss recovered (vs mean)    ${(100 * vsMean).toFixed(2)} %`);
}
console.log(`  KL(clean ‖ spliced)         ${e.klSpliced.toFixed(4)} nats/token`);
console.log(`  KL(clean ‖ zero-ablated)    ${e.klZero.toFixed(4)}`);

console.log('\ntop features by firing count, with their most-activating contexts:');
for (const line of describeFeatures(result.features, 5, 4)) console.log(line);

const s = result.steering;
console.log(
  `\nsteering: feature ${s.feature} ("${s.word}") added with value ${s.value.toFixed(2)} at ` +
    `layer ${result.layer}; "${s.word}" appears ${s.countBefore} time(s) before, ${s.countAfter} after`,
);
console.log(
  describeFeatures(
    result.features.filter((f) => f.feature === s.feature),
    1,
    4,
  ).join('\n'),
);
console.log(`\nbefore:\n${s.before}\n\nafter:\n${s.after}`);
if (result.saeDir !== undefined) console.log(`\nSAE saved in ${result.saeDir}`);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);

import { existsSync } from 'node:fs';
import {
  featureRecovery,
  type JsonObject,
  resolveTrainConfig,
  type StepMetrics,
  type TrainConfigInput,
  Trainer,
  type TrainingState,
} from '@saekit/core';
import {
  loadTrainingState,
  makeDirectory,
  removeStaleTempFiles,
  saveSae,
  saveTrainingState,
} from '@saekit/io';
import { type BackendChoice, chooseBackend, describeChoice } from '../backends.js';
import { InputError, InterruptedError, UsageError } from '../errors.js';
import { Interrupt } from '../interrupt.js';
import { MetricsLog } from '../metrics-log.js';
import { createProgressDisplay, formatDuration } from '../progress.js';
import { runPaths } from '../run-paths.js';
import { openTrainingSource } from '../training-source.js';

export interface TrainOptions {
  data?: string;
  synthetic?: boolean;
  dIn?: number;
  syntheticFeatures?: number;
  syntheticActive: number;
  out: string;
  architecture: 'topk' | 'batchtopk';
  dSae?: number;
  k: number;
  steps?: number;
  tokens?: number;
  batchSize: number;
  seed: number;
  backend: BackendChoice;
  lr?: number;
  warmupSteps?: number;
  deadTokens?: number;
  auxkAlpha?: number;
  bDecInit?: 'geometric_median' | 'mean';
  normalizeActivations: boolean;
  gradClip?: number;
  shuffleBuffer?: number;
  checkpointEvery: number;
  logEvery: number;
  resume?: boolean;
  force?: boolean;
  modelName?: string;
  hookName?: string;
  progress: boolean;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export async function runTrain(o: TrainOptions): Promise<void> {
  const paths = runPaths(o.out);
  if (!o.resume && !o.data && !o.synthetic) {
    throw new UsageError(
      '--data',
      'give activation shards with --data <dir|glob|file>, or --synthetic',
    );
  }
  if (o.resume && !existsSync(paths.state)) {
    throw new InputError(paths.state, 'no training state to resume (run without --resume first)');
  }
  if (!o.resume && !o.force && existsSync(paths.state)) {
    throw new UsageError(
      '--out',
      `${o.out} already holds a run; pass --resume to continue it or --force to start over`,
    );
  }
  makeDirectory(o.out);
  // Temporary files of a killed run are as large as the state they were replacing.
  for (const name of await removeStaleTempFiles(o.out))
    log(`removed ${name}, left by a killed run`);

  const state = o.resume ? await loadTrainingState(paths.state) : undefined;
  // A resumed run continues with the options it was started with (stored in the state);
  // only the length of the run (--steps / --tokens), the backend and the display may change.
  const saved = (state?.meta.extra as JsonObject | undefined)?.cli as JsonObject | undefined;
  const run = saved ? mergeResumeOptions(o, saved) : o;

  const source = await openTrainingSource({
    data: run.data,
    synthetic: run.synthetic === true,
    dIn: run.dIn,
    syntheticFeatures: run.syntheticFeatures,
    syntheticActive: run.syntheticActive,
    batchSize: run.batchSize,
    seed: run.seed,
    shuffleBuffer: run.shuffleBuffer,
    position: (state?.meta.extra as JsonObject | undefined)?.data,
  });
  const dIn = source.dIn;
  const stateDIn = (state?.meta.config as JsonObject | undefined)?.dIn;
  if (stateDIn !== undefined && stateDIn !== dIn) {
    throw new InputError(
      run.data ?? 'synthetic data',
      `has width ${dIn} but the saved run has d_in ${String(stateDIn)}`,
    );
  }
  if (run.dIn !== undefined && run.dIn !== dIn) {
    throw new InputError(
      run.data ?? 'data',
      `activations have width ${dIn} but --d-in is ${run.dIn}`,
    );
  }
  const dSae = run.dSae ?? 8 * dIn;
  const steps =
    run.steps ?? (run.tokens !== undefined ? Math.ceil(run.tokens / run.batchSize) : 1000);
  const configInput: TrainConfigInput = {
    architecture: run.architecture,
    dIn,
    dSae,
    k: run.k,
    batchSize: run.batchSize,
    steps,
    seed: run.seed,
    normalizeActivations: run.normalizeActivations,
    ...(run.lr !== undefined && { lr: run.lr }),
    ...(run.warmupSteps !== undefined && { warmupSteps: run.warmupSteps }),
    ...(run.deadTokens !== undefined && { deadTokens: run.deadTokens }),
    ...(run.auxkAlpha !== undefined && { auxkAlpha: run.auxkAlpha }),
    ...(run.bDecInit !== undefined && { bDecInit: run.bDecInit }),
    ...(run.gradClip !== undefined && { clipGradNorm: run.gradClip }),
  };
  // Validate before touching a backend, so a bad combination (k > d_sae) fails fast.
  const config = resolveTrainConfig(configInput);

  const chosen = await chooseBackend(o.backend);
  log(describeChoice(chosen));
  const backend = chosen.backend;

  const interrupt = new Interrupt();
  let trainer: Trainer | undefined;
  try {
    trainer = state
      ? await Trainer.create(backend, null, { state: withSteps(state, steps) })
      : await Trainer.create(backend, configInput);
    const t = trainer;
    const startStep = t.stepsDone;
    log(
      `${state ? `resuming at step ${startStep}` : 'training'}: ${config.architecture} d_in=${dIn} ` +
        `d_sae=${dSae} k=${config.k} batch=${config.batchSize} steps=${steps} ` +
        `lr=${t.config.lr.toExponential(2)} → ${o.out}`,
    );
    for (const note of t.notes) log(`note: ${note}`);

    const metricsLog = MetricsLog.open(paths.metrics, state ? startStep : undefined);
    const display = createProgressDisplay({
      totalSteps: steps,
      startStep,
      startTokens: t.tokens,
      logEvery: run.logEvery,
      plain: !o.progress,
    });
    interrupt.onFirst = () =>
      display.log(
        'Ctrl-C: finishing this step and saving a checkpoint (Ctrl-C again to quit at once)',
      );
    const started = Date.now();
    let last: StepMetrics | undefined;
    let lastLogged = startStep;
    // Throughput over the interval since the previous record: per-step timings are noisy.
    let mark = { tokens: t.tokens, time: performance.now() };
    const intervalRate = (m: StepMetrics) => {
      const now = performance.now();
      const rate =
        now > mark.time ? ((m.tokens - mark.tokens) * 1000) / (now - mark.time) : m.tokensPerSecond;
      return { rate, next: { tokens: m.tokens, time: now } };
    };
    const record = (m: StepMetrics) => {
      lastLogged = m.step;
      const { rate, next } = intervalRate(m);
      mark = next;
      metricsLog.append({
        step: m.step,
        tokens: m.tokens,
        fvu: m.fvu,
        mse: m.mse,
        l0: m.l0,
        dead_frac: m.deadFraction,
        auxk: m.auxk,
        lr: m.lr,
        tokens_per_s: rate,
        elapsed_s: (Date.now() - started) / 1000,
      });
    };
    const onStep = (m: StepMetrics) => {
      last = m;
      display.update({
        step: m.step,
        tokens: m.tokens,
        fvu: m.fvu,
        l0: m.l0,
        deadFraction: m.deadFraction,
      });
      if (m.step % run.logEvery === 0 || m.step === steps) record(m);
    };
    const checkpoint = async (final: boolean) => {
      const trainingState = await t.saveState({ data: source.position(), cli: cliMeta(run) });
      await saveTrainingState(paths.state, trainingState);
      await writeSae(t, run, paths.dir, final);
    };

    // One iterator for the whole run: each train() call continues where the last stopped.
    const iterator = source.batches()[Symbol.asyncIterator]();
    // A fresh run initializes (b_dec, input scale) from its first batches and then trains
    // on them too. They are read here rather than inside train(), which would drop any it
    // had not trained on when a checkpoint chunk ends.
    const prefix: Float32Array[] = [];
    if (!t.initialized) {
      let rows = 0;
      while (rows < t.config.initTokens) {
        const r = await iterator.next();
        if (r.done) break;
        prefix.push(r.value);
        rows += r.value.length / dIn;
      }
      if (prefix.length === 0) throw new InputError(run.data ?? 'synthetic', 'no data');
      t.initialize(concat(prefix));
    }
    // A backend whose reads resolve at once (cpu) and an in-memory source (synthetic) make a
    // loop of microtasks that never lets Node handle a signal: yield to the event loop every
    // 50 ms so Ctrl-C is seen.
    let lastYield = performance.now();
    const batches: AsyncIterable<Float32Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (performance.now() - lastYield > 50) {
            await new Promise((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
          const p = prefix.shift();
          return p ? { done: false, value: p } : iterator.next();
        },
      }),
    };
    let exhausted = false;
    while (t.stepsDone < steps && !interrupt.requested) {
      // The data position is exact only once the prefix is trained on: no checkpoint before.
      const untilCheckpoint = Math.max(
        run.checkpointEvery - (t.stepsDone % run.checkpointEvery),
        prefix.length,
      );
      const summary = await t.train(batches, {
        onStep,
        signal: interrupt.signal,
        maxSteps: Math.min(untilCheckpoint, steps - t.stepsDone),
      });
      if (summary.stopped === 'source-exhausted') {
        exhausted = true;
        break;
      }
      if (t.stepsDone < steps && !interrupt.requested) await checkpoint(false);
    }
    if (interrupt.requested && prefix.length > 0) {
      // Finish the few initialization batches already read, so the saved position is exact.
      await t.train(batches, { onStep, maxSteps: Math.min(prefix.length, steps - t.stepsDone) });
    }
    if (last && lastLogged !== last.step) record(last);
    if (interrupt.requested) {
      await checkpoint(false);
      display.stop();
      log(
        `interrupted at step ${t.stepsDone}; checkpoint saved in ${o.out}. ` +
          `Continue with: saekit train --out ${o.out} --resume`,
      );
      throw new InterruptedError('interrupted');
    }
    await checkpoint(true);
    display.stop();
    const secs = (Date.now() - started) / 1000;
    const m = last as StepMetrics | undefined;
    log(
      `${exhausted ? 'data exhausted' : 'done'}: ${t.stepsDone} steps in ${formatDuration(secs)}` +
        (m
          ? `; final fvu ${m.fvu.toFixed(4)}, l0 ${m.l0.toFixed(1)}, dead ${(m.deadFraction * 100).toFixed(1)}%`
          : '') +
        `. SAE written to ${o.out}`,
    );
    if (source.dictionary) {
      const w = await t.exportWeights();
      const r = featureRecovery(w.wDec, source.dictionary, dIn);
      log(
        `feature recovery: MMCS ${r.mmcs.toFixed(3)}; ${r.recovered} of ${r.maxCosine.length} ` +
          `true features (${(r.recoveredFraction * 100).toFixed(1)}%) found at cosine ≥ 0.9`,
      );
    }
  } finally {
    interrupt.dispose();
    trainer?.dispose();
    await backend.destroy();
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * The state's config with the run length changed (resume may extend a run). The lr
 * schedule follows the new length from here on.
 */
function withSteps(state: TrainingState, steps: number): TrainingState {
  const config = state.meta.config as JsonObject;
  if (config.steps === steps) return state;
  const batchSize = Number(config.batchSize);
  return {
    ...state,
    meta: { ...state.meta, config: { ...config, steps, totalTokens: steps * batchSize } },
  };
}

/** The options a resumed run must keep, stored in the training state. */
function cliMeta(o: TrainOptions): JsonObject {
  const meta: JsonObject = {
    synthetic: o.synthetic === true,
    syntheticActive: o.syntheticActive,
    architecture: o.architecture,
    k: o.k,
    batchSize: o.batchSize,
    seed: o.seed,
    normalizeActivations: o.normalizeActivations,
  };
  const optional = {
    dIn: o.dIn,
    data: o.data,
    syntheticFeatures: o.syntheticFeatures,
    dSae: o.dSae,
    steps: o.steps,
    tokens: o.tokens,
    lr: o.lr,
    warmupSteps: o.warmupSteps,
    deadTokens: o.deadTokens,
    auxkAlpha: o.auxkAlpha,
    bDecInit: o.bDecInit,
    gradClip: o.gradClip,
    shuffleBuffer: o.shuffleBuffer,
    modelName: o.modelName,
    hookName: o.hookName,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) meta[key] = value;
  return meta;
}

/** The saved run's options, with the few that may change on resume (steps, intervals). */
function mergeResumeOptions(now: TrainOptions, saved: JsonObject): TrainOptions {
  const merged = { ...now, ...(saved as unknown as Partial<TrainOptions>) } as TrainOptions;
  if (now.steps !== undefined) merged.steps = now.steps;
  if (now.tokens !== undefined) merged.tokens = now.tokens;
  return merged;
}

async function writeSae(t: Trainer, o: TrainOptions, dir: string, final: boolean): Promise<void> {
  const weights = await t.exportWeights();
  const counts = await t.firingCounts();
  const tokens = t.tokens;
  // SAELens's sparsity.safetensors: log10 of each latent's firing frequency.
  const sparsity = new Float32Array(counts.length);
  for (let i = 0; i < sparsity.length; i++) {
    sparsity[i] = Math.log10(counts[i] / Math.max(1, tokens) + 1e-10);
  }
  await saveSae(dir, weights, {
    format: 'saelens',
    sparsity,
    metadata: {
      model_name: o.modelName ?? (o.synthetic ? 'synthetic' : 'unknown'),
      hook_name: o.hookName ?? 'unknown',
      ...(o.data !== undefined && { dataset_path: o.data }),
    },
    saekit: {
      trained_steps: t.stepsDone,
      trained_tokens: tokens,
      final,
      train_config: t.config as unknown as JsonObject,
      notes: [...t.notes],
    },
  });
}

import { ConfigError } from '../errors.js';

import { isDenseArchitecture, type TrainableArchitecture } from './architectures.js';
import {
  type ConfigField,
  checkField,
  TRAIN_CONFIG_FIELDS,
  type TrainConfigKey,
} from './config-schema.js';

export {
  isBatchTopK,
  isDenseArchitecture,
  TRAINABLE_ARCHITECTURES,
  type TrainableArchitecture,
} from './architectures.js';

export type BDecInit = 'geometric_median' | 'mean' | 'zeros';

/**
 * How an extended run continues its lr schedule (see `extendSchedule`): after `step`, the
 * schedule's factor ramps linearly from `from` (the factor of the last step taken before the
 * extension) back up over `warmupSteps` steps, and never exceeds the extended plan.
 */
export interface Rewarm {
  readonly step: number;
  readonly from: number;
}

/** What a caller gives; everything but the shape has a design default (design §3). */
export interface TrainConfigInput {
  readonly dIn: number;
  readonly dSae: number;
  /**
   * Active latents per token (BatchTopK: the mean per token over a batch). Required for topk and
   * batchtopk; jumprelu and standard have no k (see targetL0 and the sparsity coefficients).
   */
  readonly k?: number;
  readonly architecture?: TrainableArchitecture;
  /**
   * Train a transcoder: each batch pairs input rows with target rows (see `pairedBatch`), and
   * the model predicts the target from the input (FVU and AuxK against the target). The value
   * names the target tensor of the data (e.g. `mlp_out`); a run's source reads it. Default: none
   * (an SAE reconstructs its input).
   */
  readonly targetTensor?: string;
  /** Tokens per step; default 4096. */
  readonly batchSize?: number;
  /** Length of the run in steps; or give `totalTokens`. Needed for the lr decay. */
  readonly steps?: number;
  readonly totalTokens?: number;
  /** Default 2e-4 / sqrt(dSae / 2^14). */
  readonly lr?: number;
  /** Default min(1000, ceil(steps / 10)); 1000 when the length is unknown. */
  readonly warmupSteps?: number;
  /** Fraction of the run over which lr decays linearly to 0; default 0.2. */
  readonly decayFraction?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** AuxK weight; default 1/32; 0 turns AuxK off. */
  readonly auxkAlpha?: number;
  /** Default dIn/2 rounded (in log2) to a power of two, at most dSae. */
  readonly kAux?: number;
  /**
   * A latent is dead after this many training tokens without firing. Default 10,000,000, or
   * totalTokens / 20 when the run is shorter than 20× that (a note says so).
   */
  readonly deadTokens?: number;
  /** Train on s·x with s = sqrt(dIn) / mean‖x‖, folded back on export; default true. */
  readonly normalizeActivations?: boolean;
  readonly bDecInit?: BDecInit;
  /** Tokens used for b_dec and the input scale; default 4096. */
  readonly initTokens?: number;
  /** Weiszfeld iterations at most; default 100. */
  readonly geometricMedianIterations?: number;
  /** Global gradient-norm clipping; default off. */
  readonly clipGradNorm?: number;
  readonly seed?: number;
  /**
   * BatchTopK only: per-token cap on the candidates competing for the batch's top B·k,
   * default min(dSae, 4k). A token holding more than `cap` of the batch's top values loses the
   * extras (rare; raise the cap if L0 falls short of k).
   */
  readonly batchTopKCap?: number;
  /** BatchTopK only: θ ← m·θ + (1−m)·batch threshold; default 0.99. */
  readonly thresholdMomentum?: number;
  /** Set by `extendSchedule` when a run is made longer after its lr began to decay. */
  readonly rewarm?: Rewarm;
  /**
   * jumprelu: weight λ of the L0 penalty λ·mean_b ‖f(x_b)‖₀ (or of the quadratic penalty when
   * targetL0 is set); default 1, SAELens's l0_coefficient.
   */
  readonly l0Coefficient?: number;
  /**
   * jumprelu: train towards this mean L0 with the quadratic penalty λ·(L0_batch/targetL0 − 1)²
   * instead of λ·L0 (dictionary_learning's target_l0). Default off.
   */
  readonly targetL0?: number;
  /** jumprelu: bandwidth ε of the rectangle-kernel pseudo-derivative; default 0.001. */
  readonly jumpreluBandwidth?: number;
  /** jumprelu: initial threshold (scaled units); default 0.001. */
  readonly jumpreluInitThreshold?: number;
  /**
   * jumprelu: weight c of the pre-activation loss on dead latents (Anthropic's January 2025
   * update, as SAELens applies it): c·mean_b Σ_{i dead} relu(θ_i − pre_bi), which lifts a dead
   * latent's pre-activations and lowers its threshold until it fires again. 0 turns it off.
   */
  readonly jumpreluPreActCoefficient?: number;
  /** standard: weight λ of the L1 penalty λ·mean_b Σ_i f_i·‖W_dec[i]‖; default 5 (Anthropic). */
  readonly l1Coefficient?: number;
  /**
   * jumprelu, standard: the sparsity coefficient ramps linearly from 0 over this many steps.
   * Default: 5% of the run (Anthropic's L1 warmup), 0 when the length is unknown.
   */
  readonly sparsityWarmupSteps?: number;
  /** standard: initial norm of every W_dec row (and W_enc row, tied); default 0.1. */
  readonly decoderInitNorm?: number;
  /**
   * matryoshka: the nested prefix sizes m_1 < … < m_n = dSae (dSae is appended when missing).
   * Default [dSae/16, dSae/4, dSae] (rounded, sizes below k dropped).
   */
  readonly matryoshkaWidths?: readonly number[];
}

/** A resolved config: every default filled in, JSON-serializable (it goes into the state). */
export interface TrainConfig {
  readonly dIn: number;
  readonly dSae: number;
  /** null for jumprelu and standard. */
  readonly k: number | null;
  readonly architecture: TrainableArchitecture;
  /** The transcoder's target tensor; null for an SAE. */
  readonly targetTensor: string | null;
  readonly batchSize: number;
  readonly steps: number | null;
  readonly totalTokens: number | null;
  readonly lr: number;
  readonly warmupSteps: number;
  readonly decayFraction: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly auxkAlpha: number;
  readonly kAux: number;
  readonly deadTokens: number;
  readonly normalizeActivations: boolean;
  readonly bDecInit: BDecInit;
  readonly initTokens: number;
  readonly geometricMedianIterations: number;
  readonly clipGradNorm: number | null;
  readonly seed: number;
  readonly batchTopKCap: number;
  readonly thresholdMomentum: number;
  readonly rewarm: Rewarm | null;
  readonly l0Coefficient: number;
  readonly targetL0: number | null;
  readonly jumpreluBandwidth: number;
  readonly jumpreluInitThreshold: number;
  readonly jumpreluPreActCoefficient: number;
  readonly l1Coefficient: number;
  readonly sparsityWarmupSteps: number;
  readonly decoderInitNorm: number;
  /** matryoshka: the prefix sizes, ending with dSae; [dSae] otherwise. */
  readonly matryoshkaWidths: readonly number[];
  /** Human-readable notes on defaults that were adapted (e.g. a shortened deadTokens). */
  readonly notes: readonly string[];
}

export const DEFAULT_DEAD_TOKENS = 10_000_000;
export const DEFAULT_BATCH_SIZE = 4096;

/** d/2 rounded to the nearest power of two in log scale (Gao et al.: 512 for d = 768). */
export function defaultKAux(dIn: number, dSae: number): number {
  const p = 2 ** Math.round(Math.log2(Math.max(1, dIn / 2)));
  return Math.min(p, dSae);
}

/** The design's lr rule: 2e-4 / sqrt(m / 2^14). */
export function defaultLr(dSae: number): number {
  return 2e-4 / Math.sqrt(dSae / 2 ** 14);
}

/** The given value of `key`, checked against its schema field; undefined when not given. */
function given<K extends TrainConfigKey>(input: TrainConfigInput, key: K): TrainConfigInput[K] {
  const v = input[key];
  return v === undefined ? v : checkField(FIELD[key], v);
}

const FIELD = Object.fromEntries(TRAIN_CONFIG_FIELDS.map((f) => [f.key, f])) as Record<
  TrainConfigKey,
  ConfigField
>;

/**
 * Validates a config (a ConfigError names the key: each value against its field in
 * TRAIN_CONFIG_FIELDS, then the relations between them) and fills the design defaults.
 */
export function resolveTrainConfig(input: TrainConfigInput): TrainConfig {
  const notes: string[] = [];
  const dIn = checkField(FIELD.dIn, input.dIn);
  const dSae = checkField(FIELD.dSae, input.dSae);
  const architecture = given(input, 'architecture') ?? 'topk';
  const dense = isDenseArchitecture(architecture);
  let k: number | null = null;
  if (dense) {
    if (input.k !== undefined) {
      throw new ConfigError(
        'k',
        `${architecture} has no k (its L0 follows from the sparsity penalty${architecture === 'jumprelu' ? '; targetL0 asks for one' : ''})`,
        'leave k out',
      );
    }
  } else {
    k = checkField(FIELD.k, input.k) as number;
    if (k > dSae) {
      throw new ConfigError('k', `k = ${k} exceeds dSae = ${dSae}`, 'lower k or raise dSae');
    }
  }
  for (const [key, archs] of Object.entries(ARCHITECTURE_KEYS)) {
    if (input[key as keyof TrainConfigInput] !== undefined && !archs.includes(architecture)) {
      throw new ConfigError(key, `applies to ${archs.join(' and ')}, not ${architecture}`);
    }
  }
  if (dense && input.auxkAlpha !== undefined && input.auxkAlpha !== 0) {
    throw new ConfigError('auxkAlpha', `AuxK applies to topk and batchtopk, not ${architecture}`);
  }
  const batchSize = given(input, 'batchSize') ?? DEFAULT_BATCH_SIZE;

  let steps: number | null = given(input, 'steps') ?? null;
  let totalTokens: number | null = given(input, 'totalTokens') ?? null;
  if (steps === null && totalTokens !== null) steps = Math.ceil(totalTokens / batchSize);
  else if (steps !== null && totalTokens === null) totalTokens = steps * batchSize;
  else if (steps !== null && totalTokens !== null && steps !== Math.ceil(totalTokens / batchSize)) {
    throw new ConfigError(
      'steps',
      `steps = ${steps} disagrees with totalTokens = ${totalTokens} at batchSize ${batchSize}`,
      'give steps or totalTokens, not both',
    );
  }

  const lr = given(input, 'lr') ?? defaultLr(dSae);
  const warmupSteps =
    given(input, 'warmupSteps') ?? (steps === null ? 1000 : Math.min(1000, Math.ceil(steps / 10)));
  // A dense architecture trains every latent through its penalty; it has no AuxK.
  const auxkAlpha = dense ? 0 : (given(input, 'auxkAlpha') ?? 1 / 32);
  const kAux = given(input, 'kAux') ?? defaultKAux(dIn, dSae);
  if (kAux > dSae) {
    throw new ConfigError(
      'kAux',
      `kAux = ${kAux} exceeds dSae = ${dSae}`,
      'lower kAux or raise dSae',
    );
  }

  let deadTokens = given(input, 'deadTokens');
  if (deadTokens === undefined) {
    deadTokens = DEFAULT_DEAD_TOKENS;
    if (totalTokens !== null && totalTokens < 20 * DEFAULT_DEAD_TOKENS) {
      deadTokens = Math.max(1, Math.floor(totalTokens / 20));
      notes.push(
        `deadTokens = ${deadTokens} (totalTokens / 20): the run is shorter than 20 × the default ${DEFAULT_DEAD_TOKENS}`,
      );
    }
  }

  const kk = k ?? 1;
  const batchTopKCap = given(input, 'batchTopKCap') ?? Math.min(dSae, 4 * kk);
  if (batchTopKCap < kk || batchTopKCap > dSae) {
    throw new ConfigError(
      'batchTopKCap',
      `batchTopKCap = ${batchTopKCap} is outside [k, dSae] = [${kk}, ${dSae}]`,
    );
  }
  const targetL0 = given(input, 'targetL0') ?? null;
  if (targetL0 !== null && targetL0 > dSae) {
    throw new ConfigError('targetL0', `targetL0 = ${targetL0} exceeds dSae = ${dSae}`);
  }
  return {
    dIn,
    dSae,
    k,
    architecture,
    targetTensor: given(input, 'targetTensor') ?? null,
    batchSize,
    steps,
    totalTokens,
    lr,
    warmupSteps,
    decayFraction: given(input, 'decayFraction') ?? 0.2,
    beta1: given(input, 'beta1') ?? 0.9,
    beta2: given(input, 'beta2') ?? 0.999,
    eps: given(input, 'eps') ?? 6.25e-10,
    auxkAlpha,
    kAux,
    deadTokens,
    normalizeActivations: given(input, 'normalizeActivations') ?? true,
    bDecInit: given(input, 'bDecInit') ?? 'geometric_median',
    initTokens: given(input, 'initTokens') ?? 4096,
    geometricMedianIterations: given(input, 'geometricMedianIterations') ?? 100,
    clipGradNorm: given(input, 'clipGradNorm') ?? null,
    seed: given(input, 'seed') ?? 0,
    batchTopKCap,
    thresholdMomentum: given(input, 'thresholdMomentum') ?? 0.99,
    rewarm: input.rewarm === undefined ? null : rewarmOf(input.rewarm),
    l0Coefficient: given(input, 'l0Coefficient') ?? 1,
    targetL0,
    jumpreluBandwidth: given(input, 'jumpreluBandwidth') ?? 0.001,
    jumpreluInitThreshold: given(input, 'jumpreluInitThreshold') ?? 0.001,
    jumpreluPreActCoefficient: given(input, 'jumpreluPreActCoefficient') ?? 0,
    l1Coefficient: given(input, 'l1Coefficient') ?? 5,
    sparsityWarmupSteps:
      given(input, 'sparsityWarmupSteps') ?? (steps === null ? 0 : Math.ceil(steps * 0.05)),
    decoderInitNorm: given(input, 'decoderInitNorm') ?? 0.1,
    matryoshkaWidths:
      architecture === 'matryoshka'
        ? matryoshkaWidthsOf(given(input, 'matryoshkaWidths'), dSae, kk, notes)
        : [dSae],
    notes,
  };
}

/**
 * Keys that belong to some architectures only. Given for another one they are a mistake, not
 * a no-op, so resolveTrainConfig refuses them (a resolved config still carries every key).
 */
export const ARCHITECTURE_KEYS: Readonly<
  Partial<Record<keyof TrainConfigInput, readonly TrainableArchitecture[]>>
> = {
  batchTopKCap: ['batchtopk', 'matryoshka'],
  thresholdMomentum: ['batchtopk', 'matryoshka'],
  kAux: ['topk', 'batchtopk', 'matryoshka'],
  matryoshkaWidths: ['matryoshka'],
  l0Coefficient: ['jumprelu'],
  targetL0: ['jumprelu'],
  jumpreluBandwidth: ['jumprelu'],
  jumpreluInitThreshold: ['jumprelu'],
  jumpreluPreActCoefficient: ['jumprelu'],
  l1Coefficient: ['standard'],
  decoderInitNorm: ['standard'],
  sparsityWarmupSteps: ['jumprelu', 'standard'],
  // The dense step reconstructs its input only; the sparse step predicts any target.
  targetTensor: ['topk', 'batchtopk', 'matryoshka'],
};

/** Whether `key` of a config means something for `architecture`. */
export function appliesTo(key: string, architecture: TrainableArchitecture): boolean {
  const archs = ARCHITECTURE_KEYS[key as keyof TrainConfigInput];
  return archs === undefined || archs.includes(architecture);
}

function matryoshkaWidthsOf(
  given: readonly number[] | undefined,
  dSae: number,
  k: number,
  notes: string[],
): number[] {
  if (given === undefined) {
    return [...new Set([Math.round(dSae / 16), Math.round(dSae / 4), dSae])].filter((w) => w >= k);
  }
  if (!Array.isArray(given) || given.length === 0) {
    throw new ConfigError('matryoshkaWidths', 'must be a non-empty list of prefix sizes');
  }
  const widths = [...given];
  for (let i = 0; i < widths.length; i++) {
    const w = widths[i];
    if (!Number.isInteger(w) || w < 1 || w > dSae) {
      throw new ConfigError(
        'matryoshkaWidths',
        `entry ${i} = ${String(w)} is not an integer in [1, dSae = ${dSae}]`,
      );
    }
    if (i > 0 && w <= widths[i - 1]) {
      throw new ConfigError(
        'matryoshkaWidths',
        `must increase strictly (entry ${i} = ${w} after ${widths[i - 1]})`,
      );
    }
  }
  if (widths[widths.length - 1] !== dSae) {
    widths.push(dSae);
    notes.push(`matryoshkaWidths: appended dSae = ${dSae} as the last prefix`);
  }
  return widths;
}

/** The sparsity coefficient's warmup factor at a 1-based step (linear from 0). */
export function sparsityWarmupAt(config: TrainConfig, step: number): number {
  return config.sparsityWarmupSteps > 0 ? Math.min(1, step / config.sparsityWarmupSteps) : 1;
}

function rewarmOf(r: Rewarm): Rewarm {
  if (r === null || typeof r !== 'object') {
    throw new ConfigError('rewarm', `must be { step, from }, got ${JSON.stringify(r)}`);
  }
  const step = r.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
    throw new ConfigError('rewarm', `step must be an integer ≥ 0, got ${String(step)}`);
  }
  const from = r.from;
  if (typeof from !== 'number' || !(from >= 0 && from <= 1)) {
    throw new ConfigError('rewarm', `from must be in [0, 1], got ${String(from)}`);
  }
  return { step, from };
}

/**
 * The schedule's factor (lr = config.lr × factor) at a 1-based step: the smaller of a linear
 * warmup and `decayFactorAt`.
 */
export function scheduleFactorAt(config: TrainConfig, step: number): number {
  const warm = config.warmupSteps > 0 ? Math.min(1, step / config.warmupSteps) : 1;
  return Math.min(warm, decayFactorAt(config, step));
}

/** The linear decay to 0 over the last decayFraction of the run, and an extension's ramp. */
function decayFactorAt(config: TrainConfig, step: number): number {
  let f = 1;
  if (config.steps !== null && config.decayFraction > 0) {
    const decaySteps = Math.max(1, Math.round(config.steps * config.decayFraction));
    const left = config.steps - (step - 1);
    if (left <= decaySteps) f = Math.max(0, left / decaySteps);
  }
  const r = config.rewarm;
  if (r !== null && step > r.step) {
    const ramp = config.warmupSteps > 0 ? Math.min(1, (step - r.step) / config.warmupSteps) : 1;
    f = Math.min(f, r.from + (1 - r.from) * ramp);
  }
  return f;
}

/** lr at a 1-based step: linear warmup, constant, then linear decay to 0 over the last part. */
export function learningRateAt(config: TrainConfig, step: number): number {
  return config.lr * scheduleFactorAt(config, step);
}

/**
 * The config of a run made `steps` long after `stepsDone` steps (a resumed run extended or
 * shortened). Only the length changes; every other resolved value (warmupSteps, deadTokens,
 * ...) stays as the run was started. The lr of the steps still to come follows the new
 * length's plan, except that it never jumps up: when the last step taken ran below the full
 * lr (the decay had begun, or the run had finished), the lr climbs back from that value over
 * warmupSteps steps, as at the start of a run, before following the new plan. Extending a run
 * before its decay began is therefore the same as having started it with the new length.
 */
export function extendSchedule(config: TrainConfig, steps: number, stepsDone: number): TrainConfig {
  if (!Number.isInteger(steps) || steps <= stepsDone) {
    throw new ConfigError(
      'steps',
      `the run has already taken ${stepsDone} steps; give more steps than that to continue it`,
    );
  }
  if (steps === config.steps) return config;
  // The last step's factor without its warmup part: a run extended during its warmup keeps
  // warming up as planned.
  const from = stepsDone === 0 ? 1 : decayFactorAt(config, stepsDone);
  return {
    ...config,
    steps,
    totalTokens: steps * config.batchSize,
    rewarm: from < 1 ? { step: stepsDone, from } : null,
  };
}

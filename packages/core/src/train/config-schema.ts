import { ConfigError } from '../errors.js';
import { TRAINABLE_ARCHITECTURES } from './architectures.js';
import type { TrainConfigInput } from './config.js';

/** How a config value is typed and bounded; `check` enforces it. */
export type FieldType =
  | {
      readonly kind: 'int';
      readonly min: number;
      readonly max?: number;
      /** Written as a count a CLI may abbreviate (10k, 2M). */
      readonly count?: boolean;
    }
  | {
      readonly kind: 'number';
      readonly min: number;
      readonly minOpen?: boolean;
      readonly max?: number;
      readonly maxOpen?: boolean;
    }
  | { readonly kind: 'choice'; readonly choices: readonly string[] }
  /** A list of integers ≥ min (a CLI writes it comma-separated). */
  | { readonly kind: 'int-list'; readonly min: number }
  | { readonly kind: 'boolean' }
  /** A name (a CLI passes it through as typed). */
  | { readonly kind: 'string' };

/** One setting of a run: its type, what it means and its default, for the library and a CLI. */
export interface ConfigField<K extends string = string> {
  readonly key: K;
  readonly type: FieldType;
  /** What it does, in a phrase (a CLI's help line). */
  readonly help: string;
  /** The default in words, or undefined when the value is required. */
  readonly default?: string;
  /** How a command line names it and defaults it where that differs from the library. */
  readonly cli?: {
    readonly flag?: string;
    readonly default?: number;
    readonly defaultText?: string;
  };
}

const int = (min: number, extra: { max?: number; count?: boolean } = {}): FieldType => ({
  kind: 'int',
  min,
  ...extra,
});
const positive: FieldType = { kind: 'number', min: 0, minOpen: true };

/**
 * Every value `resolveTrainConfig` accepts (design §3 defaults), in the order a help text
 * lists them. `resolveTrainConfig` checks each given value with `checkField`; a CLI builds its
 * flags, help and parsing from the same list.
 */
export const TRAIN_CONFIG_FIELDS = [
  {
    key: 'dIn',
    type: int(1),
    help: 'width of the activations',
    cli: { defaultText: 'the shards’ width; 64 for --synthetic' },
  },
  {
    key: 'dSae',
    type: int(1),
    help: 'number of latents',
    cli: { defaultText: '8 × d-in' },
  },
  {
    key: 'k',
    type: int(1),
    help: 'active latents per token (topk, batchtopk, matryoshka; batch-wide: the mean over a batch)',
    cli: { default: 32, defaultText: '32, none for jumprelu and standard' },
  },
  {
    key: 'architecture',
    type: { kind: 'choice', choices: TRAINABLE_ARCHITECTURES },
    help: 'SAE architecture: topk, batchtopk and matryoshka pick k latents; jumprelu and standard (ReLU + L1) learn their sparsity',
    default: 'topk',
  },
  {
    key: 'targetTensor',
    type: { kind: 'string' },
    help: 'train a transcoder: predict this tensor of the shards (e.g. mlp_out) from the input activations; loss and FVU against it (topk, batchtopk, matryoshka)',
    default: 'none: an SAE reconstructs its input',
  },
  { key: 'batchSize', type: int(1), help: 'tokens per step', default: '4096' },
  {
    key: 'steps',
    type: int(1, { count: true }),
    help: 'training steps',
    default: 'until the data ends',
    cli: { default: 1000 },
  },
  {
    key: 'totalTokens',
    type: int(1, { count: true }),
    help: 'training tokens, e.g. 50M (steps = tokens / batch size)',
    cli: { flag: 'tokens' },
  },
  { key: 'lr', type: positive, help: 'Adam learning rate', default: '2e-4 / sqrt(d_sae / 2^14)' },
  {
    key: 'warmupSteps',
    type: int(0),
    help: 'linear lr warmup steps',
    default: 'min(1000, steps / 10)',
  },
  {
    key: 'decayFraction',
    type: { kind: 'number', min: 0, max: 1 },
    help: 'fraction of the run over which the lr decays linearly to 0',
    default: '0.2',
  },
  {
    key: 'beta1',
    type: { kind: 'number', min: 0, max: 1, maxOpen: true },
    help: 'Adam β1',
    default: '0.9',
  },
  {
    key: 'beta2',
    type: { kind: 'number', min: 0, max: 1, maxOpen: true },
    help: 'Adam β2',
    default: '0.999',
  },
  { key: 'eps', type: positive, help: 'Adam ε', default: '6.25e-10' },
  {
    key: 'auxkAlpha',
    type: { kind: 'number', min: 0 },
    help: 'weight of the AuxK loss (0 turns it off; not for jumprelu, standard)',
    default: '1/32',
  },
  {
    key: 'kAux',
    type: int(1),
    help: 'latents in the AuxK reconstruction (topk, batchtopk, matryoshka)',
    default: 'd_in / 2 as a power of two',
  },
  {
    key: 'deadTokens',
    type: int(1, { count: true }),
    help: 'tokens without firing before a latent counts as dead',
    default: '10M, or tokens / 20 for shorter runs',
  },
  {
    key: 'normalizeActivations',
    type: { kind: 'boolean' },
    help: 'train on activations scaled to mean norm sqrt(d_in), folded back on export',
    default: 'true',
  },
  {
    key: 'bDecInit',
    type: { kind: 'choice', choices: ['geometric_median', 'mean', 'zeros'] },
    help: 'decoder bias initialization',
    default: 'geometric_median',
  },
  {
    key: 'initTokens',
    type: int(1),
    help: 'tokens for the b_dec and input-scale estimates',
    default: '4096',
  },
  {
    key: 'geometricMedianIterations',
    type: int(1),
    help: 'Weiszfeld iterations for the geometric median, at most',
    default: '100',
  },
  {
    key: 'clipGradNorm',
    type: positive,
    help: 'global gradient-norm clipping threshold',
    default: 'off',
    cli: { flag: 'grad-clip' },
  },
  {
    key: 'seed',
    type: int(0, { max: 0xffffffff }),
    help: 'seed for initialization, shuffling and synthetic data',
    default: '0',
  },
  {
    key: 'batchTopKCap',
    type: int(1),
    help: 'batchtopk, matryoshka: candidates per token for the batch-wide top k·B',
    default: 'min(d_sae, 4k)',
  },
  {
    key: 'thresholdMomentum',
    type: { kind: 'number', min: 0, max: 1 },
    help: 'batchtopk, matryoshka: momentum of the inference threshold',
    default: '0.99',
  },
  {
    key: 'matryoshkaWidths',
    type: { kind: 'int-list', min: 1 },
    help: 'matryoshka: the nested prefix sizes, increasing (d-sae is appended)',
    default: 'd_sae/16, d_sae/4, d_sae',
  },
  {
    key: 'l0Coefficient',
    type: { kind: 'number', min: 0 },
    help: 'jumprelu: weight of the L0 penalty (or of the target-L0 penalty)',
    default: '1',
  },
  {
    key: 'targetL0',
    type: positive,
    help: 'jumprelu: train towards this mean L0 with a quadratic penalty',
    default: 'off',
  },
  {
    key: 'jumpreluBandwidth',
    type: positive,
    help: 'jumprelu: bandwidth of the threshold’s pseudo-derivative',
    default: '0.001',
  },
  {
    key: 'jumpreluInitThreshold',
    type: positive,
    help: 'jumprelu: initial threshold (scaled units)',
    default: '0.001',
  },
  {
    key: 'jumpreluPreActCoefficient',
    type: { kind: 'number', min: 0 },
    help: 'jumprelu: weight of the pre-activation loss that revives dead latents (0: off)',
    default: '0',
  },
  {
    key: 'l1Coefficient',
    type: { kind: 'number', min: 0 },
    help: 'standard: weight of the decoder-norm-weighted L1 penalty',
    default: '5',
  },
  {
    key: 'sparsityWarmupSteps',
    type: int(0),
    help: 'jumprelu, standard: steps over which the sparsity penalty ramps up from 0',
    default: '5% of the run',
  },
  {
    key: 'decoderInitNorm',
    type: positive,
    help: 'standard: initial norm of the decoder rows',
    default: '0.1',
  },
] as const satisfies readonly ConfigField<Exclude<keyof TrainConfigInput, 'rewarm'>>[];

/** A run's own settings (see `RunOptions`), listed the same way. */
export const RUN_OPTION_FIELDS = [
  {
    key: 'checkpointEvery',
    type: int(0),
    help: 'steps between checkpoints (0: only at the end and on Ctrl-C)',
    default: '500',
  },
  {
    key: 'logEvery',
    type: int(1),
    help: 'steps between metrics.jsonl records and plain log lines',
    default: '10',
  },
] as const satisfies readonly ConfigField[];

export type TrainConfigKey = (typeof TRAIN_CONFIG_FIELDS)[number]['key'];

const FIELDS = new Map<string, ConfigField>(
  [...TRAIN_CONFIG_FIELDS, ...RUN_OPTION_FIELDS].map((f) => [f.key, f]),
);

/** The field of a config or run-option key (undefined for an unknown key). */
export function configField(key: string): ConfigField | undefined {
  return FIELDS.get(key);
}

/** Returns `value` if it fits the field's type and bounds, else a ConfigError naming the key. */
export function checkField<T>(field: ConfigField, value: T): T {
  const t = field.type;
  const bad = (why: string): never => {
    throw new ConfigError(
      field.key,
      `${why}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`,
    );
  };
  if (t.kind === 'int-list') {
    const ok =
      Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && (v as number) >= t.min);
    if (!ok || (value as unknown[]).length === 0) {
      bad(`must be a non-empty list of integers ≥ ${t.min}`);
    }
  } else if (t.kind === 'boolean') {
    if (typeof value !== 'boolean') bad('must be true or false');
  } else if (t.kind === 'string') {
    if (typeof value !== 'string' || value.trim() === '') bad('must be a non-empty name');
  } else if (t.kind === 'choice') {
    if (typeof value !== 'string' || !t.choices.includes(value)) {
      bad(
        `must be ${t.choices
          .map((c) => `'${c}'`)
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1')}`,
      );
    }
  } else if (t.kind === 'int') {
    const ok = typeof value === 'number' && Number.isSafeInteger(value) && value >= t.min;
    if (!ok || (t.max !== undefined && (value as number) > t.max)) {
      if (t.max !== undefined) bad(`must be an integer in [${t.min}, ${t.max}]`);
      bad(t.min === 1 ? 'must be a positive integer' : `must be an integer ≥ ${t.min}`);
    }
  } else {
    const v = value as unknown as number;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(v) &&
      (t.minOpen ? v > t.min : v >= t.min) &&
      (t.max === undefined || (t.maxOpen ? v < t.max : v <= t.max));
    if (!ok) {
      if (t.max === undefined) bad(`must be a finite number ${t.minOpen ? '>' : '≥'} ${t.min}`);
      bad(`must be in ${t.minOpen ? '(' : '['}${t.min}, ${t.max}${t.maxOpen ? ')' : ']'}`);
    }
  }
  return value;
}

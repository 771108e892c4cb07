import {
  type ConfigField,
  configField,
  type TrainableArchitecture,
  type TrainConfigKey,
} from '@saekit/core';
import { defaultText, flagName } from './config-flags.js';

/**
 * `saekit train --help`'s account of each architecture: what it does, its own settings with
 * their defaults (from core's config schema, so they never drift from the library's) and a
 * command that runs as it is (the tests run each one, shortened).
 */
export interface ArchitectureDoc extends TrainDoc {
  readonly name: TrainableArchitecture;
}

/** One entry of that account: an architecture, or the transcoder the flag makes of one. */
export interface TrainDoc {
  readonly what: string;
  readonly keys: readonly TrainConfigKey[];
  /** The flags after EXAMPLE_DATA that train it. */
  readonly example: string;
}

/** Synthetic data with 128 true features, and a schedule that finds most of them. */
export const EXAMPLE_DATA =
  'saekit train --synthetic --d-in 32 --d-sae 128 --batch-size 256 --steps 1000 --lr 0.01';

export const ARCHITECTURE_DOCS: readonly ArchitectureDoc[] = [
  {
    name: 'topk',
    what: 'the k largest latents per token (Gao et al. 2024); AuxK trains dead latents',
    keys: ['k', 'auxkAlpha', 'kAux', 'deadTokens'],
    example: '--k 4 --out runs/topk',
  },
  {
    name: 'batchtopk',
    what: 'the k·B largest over a batch (k per token on average); saved as a JumpReLU with one learned threshold',
    keys: ['k', 'batchTopKCap', 'thresholdMomentum'],
    example: '--architecture batchtopk --k 4 --out runs/batchtopk',
  },
  {
    name: 'matryoshka',
    what: 'BatchTopK whose nested latent prefixes each reconstruct on their own (Bussmann et al. 2025); saved as batchtopk is',
    keys: ['k', 'matryoshkaWidths', 'batchTopKCap', 'thresholdMomentum'],
    example: '--architecture matryoshka --k 4 --matryoshka-widths 16,64 --out runs/matryoshka',
  },
  {
    name: 'jumprelu',
    what: 'a learned threshold per latent, an L0 penalty through a straight-through estimator (Rajamanoharan et al. 2024); no --k',
    keys: [
      'l0Coefficient',
      'targetL0',
      'jumpreluBandwidth',
      'jumpreluInitThreshold',
      'jumpreluPreActCoefficient',
      'sparsityWarmupSteps',
    ],
    example:
      '--architecture jumprelu --target-l0 4 --l0-coefficient 30 --jumprelu-bandwidth 0.1 --jumprelu-init-threshold 0.5 --out runs/jumprelu',
  },
  {
    name: 'standard',
    what: 'ReLU with an L1 penalty weighted by decoder row norms (Anthropic, April 2024); no --k',
    keys: ['l1Coefficient', 'sparsityWarmupSteps', 'decoderInitNorm'],
    example: '--architecture standard --l1-coefficient 3 --out runs/standard',
  },
];

/**
 * A transcoder is not an architecture of its own but topk, batchtopk or matryoshka with a
 * target: its entry follows theirs. With --synthetic any name makes paired data.
 */
export const TRANSCODER_DOC: TrainDoc = {
  what: "topk (default), batchtopk or matryoshka predicting another tensor of the shards (same rows, e.g. an MLP's output from its input); loss and FVU against it; jumprelu and standard are refused. With --synthetic, NAME is free and the target is the same sparse features through a second dictionary. Saved with d_out and cfg.saekit.transcoder",
  keys: ['targetTensor'],
  example: '--target-tensor target --k 4 --out runs/transcoder',
};

function setting(key: TrainConfigKey): string {
  const field = configField(key) as ConfigField;
  const d = defaultText(field);
  return `${flagName(field)}${d === undefined ? '' : ` (default ${d})`}`;
}

/**
 * `items` joined by `sep` into lines of at most `width` characters, the first led by `first`,
 * the rest by `indent`.
 */
function wrap(
  items: readonly string[],
  sep: string,
  first: string,
  indent: string,
  width = 96,
): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}${sep}${item}`;
    if (line !== '' && (lines.length === 0 ? first : indent).length + next.length > width) {
      lines.push(`${line}${sep.trimEnd()}`);
      line = item;
    } else line = next;
  }
  lines.push(line);
  return lines.map((l, i) => `${i === 0 ? first : indent}${l}`).join('\n');
}

/** The architectures section of `saekit train --help`. */
export function architectureHelp(): string {
  const block = (label: string, a: TrainDoc) =>
    `${wrap(`${label}: ${a.what}`.split(' '), ' ', '  ', '    ')}\n` +
    `${wrap(a.keys.map(setting), '; ', '    settings: ', '      ')}\n` +
    `    $ ${EXAMPLE_DATA} ${a.example}`;
  const blocks = [
    ...ARCHITECTURE_DOCS.map((a) => block(a.name, a)),
    block('transcoder (--target-tensor NAME)', TRANSCODER_DOC),
  ];
  return `Architectures (--architecture, default topk):\n${blocks.join('\n')}`;
}

/** The sweep section of `saekit train --help`. */
export const SWEEP_HELP = `Several SAEs from one stream (--sweep FILE): each batch is read once and trained on by every
member. FILE is a JSON list; a member sets config keys over the flags (k, dSae, architecture,
lr, targetL0, ...: core's names) and may give a name, its folder under --out. Members share
the data, --d-in, --batch-size, --seed and the length. Progress shows a line per member; the
end prints FVU, L0 and dead % per member and writes --out/sweep.html (FVU–L0 frontier).
--resume continues the whole set (a changed FILE is refused).
  $ echo '[{"name": "k4"}, {"name": "k8", "k": 8}, {"name": "standard", "architecture": "standard", "l1Coefficient": 3}]' > sweep.json
  $ ${EXAMPLE_DATA} --k 4 --sweep sweep.json --out runs/sweep`;

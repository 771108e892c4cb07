import type { FeatureSummary } from './contexts.js';
import { ModelInputError } from './errors.js';
import type { ResidualHook } from './model/transformer.js';

/**
 * A hook that adds `value` × `direction` (a feature's decoder row) to the residual at every
 * position from `fromPosition` on (default 1: BOS stays as the model saw it in training).
 */
export function steeringHook(
  direction: Float32Array,
  value: number,
  fromPosition = 1,
): ResidualHook {
  if (!Number.isFinite(value)) throw new ModelInputError(`steering value ${value} is not finite`);
  const out = new Float32Array(direction.length);
  return (x, pos) => {
    if (pos < fromPosition) return undefined;
    for (let i = 0; i < out.length; i++) out[i] = x[i] + value * direction[i];
    return out;
  };
}

/** Row `feature` of a latent-major decoder matrix [dSae, dIn]. */
export function decoderDirection(wDec: Float32Array, dIn: number, feature: number): Float32Array {
  const dSae = wDec.length / dIn;
  if (!Number.isInteger(feature) || feature < 0 || feature >= dSae) {
    throw new ModelInputError(`feature ${feature} is outside [0, ${dSae})`);
  }
  return wDec.slice(feature * dIn, (feature + 1) * dIn);
}

export interface SteeringCandidate {
  readonly feature: number;
  /** The word (token text, trimmed) most of the feature's top contexts highlight. */
  readonly word: string;
  readonly value: number;
  readonly story: string;
  /** Occurrences of `word` in the steered and in the unsteered story. */
  readonly countAfter: number;
  readonly countBefore: number;
}

export interface ChooseSteeringOptions {
  /** Word features tried, most frequent first (default 12). */
  readonly candidates?: number;
  /** Added value = this × the feature's largest observed activation (default 0.5). */
  readonly scale?: number;
  /** Share of the top contexts that must highlight the same word (default 0.8). */
  readonly purity?: number;
}

/** Word-like token text: a letter run of four or more, after an optional space. */
const WORD = /^\s?[A-Za-z]{4,}$/;
/** Function words: steering with them changes grammar more than content, a duller demo. */
const STOP_WORDS = new Set(
  'they them their then there these this that than what when where which with were have from would could should very said into your'.split(
    ' ',
  ),
);

/**
 * Picks a feature to show steering with: among "word" features (most of whose top contexts
 * highlight one content word), the one whose decoder direction, added at `scale` × its largest
 * activation, most raises (relatively) how often its word appears in the story `steer`
 * generates. The
 * scale stays modest (0.5) because larger pushes tend to make the 260K model repeat itself.
 */
export function chooseSteeringFeature(
  features: readonly FeatureSummary[],
  before: string,
  steer: (feature: number, value: number) => string,
  options: ChooseSteeringOptions = {},
): SteeringCandidate | undefined {
  const purity = options.purity ?? 0.8;
  const scale = options.scale ?? 0.5;
  const words: { feature: number; word: string; value: number; count: number }[] = [];
  for (const f of features) {
    if (f.contexts.length < 5) continue;
    const tally = new Map<string, number>();
    for (const c of f.contexts) tally.set(c.token, (tally.get(c.token) ?? 0) + 1);
    const [token, n] = [...tally].sort((a, b) => b[1] - a[1])[0];
    if (
      WORD.test(token) &&
      !STOP_WORDS.has(token.trim().toLowerCase()) &&
      n >= purity * f.contexts.length
    ) {
      words.push({
        feature: f.feature,
        word: token.trim(),
        value: scale * f.maxActivation,
        count: f.count,
      });
    }
  }
  words.sort((a, b) => b.count - a.count || a.feature - b.feature);
  let best: SteeringCandidate | undefined;
  for (const w of words.slice(0, options.candidates ?? 12)) {
    const story = steer(w.feature, w.value);
    const candidate = {
      feature: w.feature,
      word: w.word,
      value: w.value,
      story,
      countAfter: countWord(story, w.word),
      countBefore: countWord(before, w.word),
    };
    // Relative gain, so a word the plain story lacks beats one it already repeats.
    const gain = (c: SteeringCandidate) => (c.countAfter + 1) / (c.countBefore + 1);
    if (best === undefined || gain(candidate) > gain(best)) best = candidate;
  }
  return best;
}

/** Occurrences of `word` as a prefix of a word of `text` ("friend" counts "friends"), any case. */
export function countWord(text: string, word: string): number {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (text.match(new RegExp(`\\b${escaped}`, 'gi')) ?? []).length;
}

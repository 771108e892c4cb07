import { ModelInputError } from './errors.js';

/** Top-K codes of N rows: values and latent indices [N, k] row-major, index −1 = empty slot. */
export interface SparseCodes {
  readonly values: Float32Array;
  readonly indices: Int32Array;
  readonly k: number;
}

/** Which token and which text each activation row came from (an activation shard's columns). */
export interface TokenRows {
  readonly tokenIds: Int32Array;
  /** Rows of one sequence are consecutive, as in collection order and in shards. */
  readonly sequenceIds: Int32Array;
}

export interface FeatureContext {
  /** Activation row (token) where the feature fired. */
  readonly row: number;
  readonly sequence: number;
  readonly activation: number;
  /** Text of up to `before` tokens preceding the token, the token itself, and what follows. */
  readonly before: string;
  readonly token: string;
  readonly after: string;
}

export interface FeatureSummary {
  readonly feature: number;
  /** Rows where the feature fired (value > 0). */
  readonly count: number;
  readonly maxActivation: number;
  /** Strongest firings first. */
  readonly contexts: FeatureContext[];
}

export interface ContextOptions {
  readonly dSae: number;
  /** Features to summarize; default: the `topFeatures` that fire on the most rows. */
  readonly features?: readonly number[];
  readonly topFeatures?: number;
  /** Contexts kept per feature (default 5). */
  readonly perFeature?: number;
  /** Tokens of context shown before and after the highlighted token (default 10 and 3). */
  readonly before?: number;
  readonly after?: number;
}

/**
 * Each feature's most-activating contexts: scans the codes once keeping, per feature, the
 * `perFeature` strongest rows, then spells each as text around the token (never crossing into
 * another sequence). `decodePiece(prev, token)` renders one token (a tokenizer's decodePiece).
 */
export function mostActivatingContexts(
  codes: SparseCodes,
  rows: TokenRows,
  decodePiece: (prev: number, token: number) => string,
  options: ContextOptions,
): FeatureSummary[] {
  const { dSae } = options;
  const { k } = codes;
  const n = rows.tokenIds.length;
  if (codes.values.length !== n * k || codes.indices.length !== n * k) {
    throw new ModelInputError(
      `codes hold ${codes.values.length / k} rows of ${k}, token rows ${n}`,
    );
  }
  const perFeature = options.perFeature ?? 5;
  const counts = new Int32Array(dSae);
  const best: { row: number; value: number }[][] = Array.from({ length: dSae }, () => []);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      const f = codes.indices[r * k + j];
      const v = codes.values[r * k + j];
      if (f < 0 || !(v > 0)) continue;
      if (f >= dSae) throw new ModelInputError(`row ${r} names latent ${f} ≥ dSae ${dSae}`);
      counts[f]++;
      insertTop(best[f], { row: r, value: v }, perFeature);
    }
  }
  const features =
    options.features ??
    Array.from({ length: dSae }, (_, f) => f)
      .filter((f) => counts[f] > 0)
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .slice(0, options.topFeatures ?? 10);
  return features.map((feature) => ({
    feature,
    count: counts[feature],
    maxActivation: best[feature][0]?.value ?? 0,
    contexts: best[feature].map(({ row, value }) => ({
      row,
      sequence: rows.sequenceIds[row],
      activation: value,
      ...spell(rows, row, decodePiece, options.before ?? 10, options.after ?? 3),
    })),
  }));
}

/** Keeps `top` sorted by value, descending, at most `limit` long (ties: earlier row first). */
function insertTop(
  top: { row: number; value: number }[],
  item: { row: number; value: number },
  limit: number,
): void {
  if (top.length === limit && item.value <= top[limit - 1].value) return;
  let i = top.length;
  while (i > 0 && top[i - 1].value < item.value) i--;
  top.splice(i, 0, item);
  if (top.length > limit) top.pop();
}

function spell(
  rows: TokenRows,
  row: number,
  decodePiece: (prev: number, token: number) => string,
  before: number,
  after: number,
): { before: string; token: string; after: string } {
  const seq = rows.sequenceIds[row];
  let start = row;
  while (start > row - before && start > 0 && rows.sequenceIds[start - 1] === seq) start--;
  let end = row;
  const n = rows.tokenIds.length;
  while (end < row + after && end + 1 < n && rows.sequenceIds[end + 1] === seq) end++;
  const text = (from: number, to: number) => {
    let s = '';
    for (let r = from; r < to; r++) {
      s += decodePiece(r > start ? rows.tokenIds[r - 1] : -1, rows.tokenIds[r]);
    }
    return s;
  };
  return { before: text(start, row), token: text(row, row + 1), after: text(row + 1, end + 1) };
}

/** One line per context: `0.83  …the big red [ball] and the…` with newlines shown as ↵. */
export function formatContext(context: FeatureContext): string {
  const show = (s: string) => s.replace(/\n/g, '↵');
  return `${context.activation.toFixed(2).padStart(6)}  ${show(context.before)}[${show(context.token)}]${show(context.after)}`;
}

import type { ContextExample, FeatureReport } from './html.js';

/** A slice of examined data: activations with the token and sequence ids of each row. */
export interface TokenRows {
  readonly source: string;
  /** Index of this slice's first row within its source. */
  readonly firstRow: number;
  readonly rows: number;
  readonly tokenIds?: Int32Array;
  readonly sequenceIds?: Int32Array;
}

/** The sparse code of a slice, as an SAE encoder returns it: [rows, k], index −1 = empty. */
export interface SparseCodes {
  readonly values: Float32Array;
  readonly indices: Int32Array;
  readonly k: number;
}

/** Which latents a report shows: given ids, or a number of them picked by firing rate. */
export type LatentSelection =
  | { readonly kind: 'ids'; readonly ids: readonly number[] }
  | {
      readonly kind: 'frequent' | 'rare' | 'random';
      readonly count: number;
      readonly seed?: number;
    };

/** The text of each token of a window, given its ids (a tokenizer's tokenTexts). */
export type WindowText = (ids: readonly number[]) => string[];

/**
 * Collects, in one pass over encoded data, each latent's firing count and its `perFeature`
 * highest activations, then builds the most-activating contexts of the chosen latents.
 * Memory: the codes of the examined rows (rows · k) plus dSae · perFeature.
 */
export class ContextCollector {
  readonly counts: Float64Array;
  #rows = 0;
  #withTokens = 0;
  readonly #slices: { meta: TokenRows; codes: SparseCodes; start: number }[] = [];
  readonly #topValues: Float32Array;
  readonly #topRows: Float64Array;

  constructor(
    readonly dSae: number,
    readonly perFeature: number,
  ) {
    this.counts = new Float64Array(dSae);
    this.#topValues = new Float32Array(dSae * perFeature).fill(Number.NEGATIVE_INFINITY);
    this.#topRows = new Float64Array(dSae * perFeature).fill(-1);
  }

  get rows(): number {
    return this.#rows;
  }

  /** Whether every examined row came with a token id (contexts can show text). */
  get hasTokens(): boolean {
    return this.#rows > 0 && this.#withTokens === this.#rows;
  }

  add(meta: TokenRows, codes: SparseCodes): void {
    const start = this.#rows;
    const n = this.perFeature;
    for (let r = 0; r < meta.rows; r++) {
      for (let j = 0; j < codes.k; j++) {
        const latent = codes.indices[r * codes.k + j];
        const v = codes.values[r * codes.k + j];
        if (latent < 0 || !(v > 0)) continue;
        this.counts[latent]++;
        // Replace this latent's smallest kept activation when v beats it (n is small).
        const base = latent * n;
        let min = 0;
        for (let s = 1; s < n; s++)
          if (this.#topValues[base + s] < this.#topValues[base + min]) min = s;
        if (v > this.#topValues[base + min]) {
          this.#topValues[base + min] = v;
          this.#topRows[base + min] = start + r;
        }
      }
    }
    this.#slices.push({ meta, codes, start });
    this.#rows += meta.rows;
    if (meta.tokenIds) this.#withTokens += meta.rows;
  }

  /** Latents by descending firing count (ties: lower index), those that fired at all. */
  topLatents(count: number): number[] {
    return this.#fired()
      .sort((a, b) => this.counts[b] - this.counts[a] || a - b)
      .slice(0, count);
  }

  /**
   * The latents a selection names: ids as given (checked against dSae by the caller); the
   * most or least frequent of those that fired; or a seeded random sample of them.
   */
  select(selection: LatentSelection): number[] {
    if (selection.kind === 'ids') return [...selection.ids];
    if (selection.kind === 'frequent') return this.topLatents(selection.count);
    const fired = this.#fired();
    if (selection.kind === 'rare') {
      return fired
        .sort((a, b) => this.counts[a] - this.counts[b] || a - b)
        .slice(0, selection.count);
    }
    // Partial Fisher–Yates with a small seeded generator (mulberry32): reproducible picks.
    let s = (selection.seed ?? 0) >>> 0;
    const next = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const n = Math.min(selection.count, fired.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(next() * (fired.length - i));
      [fired[i], fired[j]] = [fired[j], fired[i]];
    }
    return fired.slice(0, n).sort((a, b) => a - b);
  }

  #fired(): number[] {
    return Array.from({ length: this.dSae }, (_, i) => i).filter((i) => this.counts[i] > 0);
  }

  /** Every positive activation of each latent over the examined rows. */
  activations(latents: readonly number[]): Map<number, Float32Array> {
    const lists = new Map<number, number[]>(latents.map((l) => [l, []]));
    for (const { codes } of this.#slices) {
      for (let i = 0; i < codes.indices.length; i++) {
        const list = lists.get(codes.indices[i]);
        if (list && codes.values[i] > 0) list.push(codes.values[i]);
      }
    }
    return new Map([...lists].map(([l, v]) => [l, Float32Array.from(v)]));
  }

  #locate(row: number) {
    let lo = 0;
    let hi = this.#slices.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#slices[mid].start <= row) lo = mid;
      else hi = mid - 1;
    }
    const slice = this.#slices[lo];
    return { slice, local: row - slice.start };
  }

  #activation(slice: { codes: SparseCodes }, local: number, latent: number): number {
    const { k, indices, values } = slice.codes;
    for (let j = 0; j < k; j++)
      if (indices[local * k + j] === latent) return Math.max(0, values[local * k + j]);
    return 0;
  }

  /**
   * Contexts of ±window rows of the same sequence (and slice) around each top row. With
   * token ids each row reads as its token's text; without, it carries its row number only.
   */
  features(latents: readonly number[], window: number, text?: WindowText): FeatureReport[] {
    const histograms = this.activations(latents);
    return latents.map((latent) => {
      const n = this.perFeature;
      const picks: { v: number; row: number }[] = [];
      for (let s = 0; s < n; s++) {
        const row = this.#topRows[latent * n + s];
        if (row >= 0) picks.push({ v: this.#topValues[latent * n + s], row });
      }
      picks.sort((a, b) => b.v - a.v || a.row - b.row);
      const examples: ContextExample[] = picks.map(({ v, row }) => {
        const { slice, local } = this.#locate(row);
        const { tokenIds, sequenceIds } = slice.meta;
        const seq = sequenceIds?.[local];
        let from = local;
        while (
          from > 0 &&
          local - from < window &&
          (seq === undefined || sequenceIds?.[from - 1] === seq)
        )
          from--;
        let to = local;
        while (
          to < slice.meta.rows - 1 &&
          to - local < window &&
          (seq === undefined || sequenceIds?.[to + 1] === seq)
        )
          to++;
        const ids = tokenIds ? Array.from(tokenIds.subarray(from, to + 1)) : undefined;
        const texts = ids && text ? text(ids) : ids?.map((id) => `⟨${id}⟩`);
        const tokens = [];
        for (let r = from; r <= to; r++) {
          tokens.push({
            ...(texts && { text: texts[r - from] }),
            row: slice.meta.firstRow + r,
            activation: this.#activation(slice, r, latent),
          });
        }
        return {
          activation: v,
          where: `${slice.meta.source} row ${slice.meta.firstRow + local}`,
          tokens,
          focus: local - from,
        };
      });
      return {
        latent,
        firingRate: this.counts[latent] / Math.max(1, this.#rows),
        activations: histograms.get(latent) ?? new Float32Array(0),
        examples,
      };
    });
  }
}

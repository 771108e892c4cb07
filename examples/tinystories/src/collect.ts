import type { Rng } from '@saekit/core';
import type { ActivationSink } from './activations.js';
import { ModelInputError } from './errors.js';
import { generate } from './model/generate.js';
import { BOS } from './model/tokenizer.js';
import type { Transformer } from './model/transformer.js';

/**
 * The residual stream after block `layer` at every position of `tokens`, [T, dim]
 * row-major, from one clean pass.
 */
export function residualStream(
  model: Transformer,
  tokens: readonly number[],
  layer: number,
): Float32Array {
  const dim = model.config.dim;
  const out = new Float32Array(tokens.length * dim);
  const session = model.session();
  tokens.forEach((token, t) => {
    session.step(token, { layer, capture: out.subarray(t * dim, (t + 1) * dim) });
  });
  return out;
}

export interface CollectOptions {
  readonly layer: number;
  /**
   * Keep the BOS position (default false). Its residual is the same in every sequence and
   * far from the others, so an SAE would spend a latent (and much of its loss) on it.
   */
  readonly includeBos?: boolean;
}

export interface CollectSummary {
  readonly sequences: number;
  readonly rows: number;
  /** Every sequence collected, in order, so its rows can be traced back to text. */
  readonly tokens: number[][];
}

/**
 * Runs the model over each token sequence and appends the residual after `options.layer`
 * to `sink`, one row per position, with token ids and sequence ids (0, 1, ... in order).
 */
export async function collectActivations(
  model: Transformer,
  sequences: Iterable<readonly number[]>,
  sink: ActivationSink,
  options: CollectOptions,
): Promise<CollectSummary> {
  const kept: number[][] = [];
  let rows = 0;
  for (const tokens of sequences) {
    if (tokens.length > model.config.seqLen) {
      throw new ModelInputError(
        `sequence ${kept.length} has ${tokens.length} tokens, more than the context of ${model.config.seqLen}`,
      );
    }
    const residual = residualStream(model, tokens, options.layer);
    rows += await appendSequence(sink, model.config.dim, residual, tokens, kept.length, options);
    kept.push([...tokens]);
  }
  return { sequences: kept.length, rows, tokens: kept };
}

export interface StoryOptions extends CollectOptions {
  readonly count: number;
  readonly rng: Rng;
  /** Sampling temperature (default 1: the model's own distribution). */
  readonly temperature?: number;
  /** Most tokens per story, BOS included (default: the model's context). */
  readonly maxTokens?: number;
}

/**
 * Samples `count` stories from BOS and collects their residuals in the same pass: the
 * residual a position had while generating is the one a clean re-run would compute.
 */
export async function collectStories(
  model: Transformer,
  sink: ActivationSink,
  options: StoryOptions,
): Promise<CollectSummary> {
  const dim = model.config.dim;
  const kept: number[][] = [];
  let rows = 0;
  for (let i = 0; i < options.count; i++) {
    const residual = new Float32Array(model.config.seqLen * dim);
    const tokens = generate(model, {
      temperature: options.temperature ?? 1,
      rng: options.rng,
      maxTokens: options.maxTokens,
      layer: options.layer,
      hook: (x, pos) => {
        residual.set(x, pos * dim);
        return undefined;
      },
    });
    rows += await appendSequence(sink, dim, residual, tokens, i, options);
    kept.push(tokens);
  }
  return { sequences: kept.length, rows, tokens: kept };
}

async function appendSequence(
  sink: ActivationSink,
  dim: number,
  residual: Float32Array,
  tokens: readonly number[],
  sequenceId: number,
  options: CollectOptions,
): Promise<number> {
  const skip = !options.includeBos && tokens[0] === BOS ? 1 : 0;
  const n = tokens.length - skip;
  if (n <= 0) return 0;
  await sink.append(
    residual.slice(skip * dim, tokens.length * dim),
    Int32Array.from(tokens.slice(skip)),
    new Int32Array(n).fill(sequenceId),
  );
  return n;
}

import type { Rng } from '@saekit/core';
import { ModelInputError } from '../errors.js';
import { argmax, softmax } from './ops.js';
import { BOS } from './tokenizer.js';
import type { InferenceSession, ResidualHook, Transformer } from './transformer.js';

export interface GenerateOptions {
  /** Tokens fed first (default: just BOS). */
  readonly prompt?: readonly number[];
  /** Most tokens in the result, prompt included (default: the model's context). */
  readonly maxTokens?: number;
  /** 0 = greedy; 1 = sample from the model's distribution. */
  readonly temperature?: number;
  /** Needed when temperature > 0. */
  readonly rng?: Rng;
  /** Residual hook applied at `layer` at every position (steering). */
  readonly layer?: number;
  readonly hook?: ResidualHook;
}

/**
 * Generates until the model emits BOS (llama2.c's story delimiter) or the budget runs out.
 * Returns the prompt followed by the generated tokens (the closing BOS is not included).
 */
export function generate(model: Transformer, options: GenerateOptions = {}): number[] {
  const prompt = options.prompt ?? [BOS];
  const maxTokens = Math.min(options.maxTokens ?? model.config.seqLen, model.config.seqLen);
  const temperature = options.temperature ?? 0;
  if (prompt.length === 0) throw new ModelInputError('prompt must hold at least one token');
  if (temperature > 0 && options.rng === undefined) {
    throw new ModelInputError('sampling with temperature > 0 needs an rng');
  }
  const session = model.session();
  const step = { layer: options.layer, hook: options.hook };
  const tokens = [...prompt];
  let logits = feed(session, prompt, step);
  while (tokens.length < maxTokens) {
    const next = temperature > 0 ? sample(logits, temperature, options.rng!) : argmax(logits);
    if (next === BOS) break;
    tokens.push(next);
    logits = session.step(next, step);
  }
  return tokens;
}

function feed(
  session: InferenceSession,
  tokens: readonly number[],
  step: { layer?: number; hook?: ResidualHook },
): Float32Array {
  let logits: Float32Array = new Float32Array(0);
  for (const t of tokens) logits = session.step(t, step);
  return logits;
}

/** Draws from softmax(logits / temperature); leaves `logits` untouched. */
export function sample(logits: Float32Array, temperature: number, rng: Rng): number {
  const p = new Float32Array(logits.length);
  for (let i = 0; i < p.length; i++) p[i] = logits[i] / temperature;
  softmax(p);
  const u = rng.uniform();
  let cdf = 0;
  for (let i = 0; i < p.length; i++) {
    cdf += p[i];
    if (u < cdf) return i;
  }
  return p.length - 1;
}

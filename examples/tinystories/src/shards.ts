import { SaekitError } from '@saekit/core';
import { readSafetensors } from '@saekit/io';
import type { ActivationTable } from './activations.js';

/** An activation shard lacks what the example needs (f32 activations with token and sequence ids). */
export class ShardContentError extends SaekitError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/**
 * Reads whole activation shards (as @saekit/io's ShardWriter writes them: f32 `activations`
 * [n, d] with int32 `token_ids` and `sequence_ids` [n]) back into one table, in order.
 */
export async function readShardTable(paths: readonly string[]): Promise<ActivationTable> {
  const parts: { acts: Float32Array; tokens: Int32Array; seqs: Int32Array }[] = [];
  let dIn = 0;
  let rows = 0;
  for (const path of paths) {
    const { tensors } = await readSafetensors(path);
    const acts = tensors['activations'];
    const tokens = tensors['token_ids'];
    const seqs = tensors['sequence_ids'];
    if (acts === undefined || !(acts.data instanceof Float32Array) || acts.shape.length !== 2) {
      throw new ShardContentError(path, "needs a 2-D f32 tensor 'activations'");
    }
    if (!(tokens?.data instanceof Int32Array) || !(seqs?.data instanceof Int32Array)) {
      throw new ShardContentError(path, "needs int32 tensors 'token_ids' and 'sequence_ids'");
    }
    const [n, d] = acts.shape;
    if (dIn !== 0 && d !== dIn) {
      throw new ShardContentError(path, `has ${d} columns, earlier shards ${dIn}`);
    }
    if (tokens.data.length !== n || seqs.data.length !== n) {
      throw new ShardContentError(path, `ids do not match its ${n} activation rows`);
    }
    dIn = d;
    rows += n;
    parts.push({ acts: acts.data, tokens: tokens.data, seqs: seqs.data });
  }
  const activations = new Float32Array(rows * dIn);
  const tokenIds = new Int32Array(rows);
  const sequenceIds = new Int32Array(rows);
  let at = 0;
  for (const p of parts) {
    activations.set(p.acts, at * dIn);
    tokenIds.set(p.tokens, at);
    sequenceIds.set(p.seqs, at);
    at += p.tokens.length;
  }
  return { dIn, rows, activations, tokenIds, sequenceIds };
}

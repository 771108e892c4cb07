import { existsSync } from 'node:fs';
import { pairedBatch } from '@saekit/core';
import {
  ActivationDataset,
  openShard,
  readNpy,
  readSafetensorsHeader,
  readSafetensorsTensor,
  resolveShards,
  type TensorData,
} from '@saekit/io';
import { InputError } from './errors.js';
import type { TokenRows } from './report/contexts.js';

export interface TokenRowsSlice extends TokenRows {
  readonly activations: Float32Array;
  /** A transcoder's target rows (the `targetTensor` of the shard), row r with row r. */
  readonly target?: Float32Array;
}

function int32Of(t: TensorData, path: string, name: string, rows: number): Int32Array {
  if (!(t.data instanceof Int32Array) || t.data.length !== rows) {
    throw new InputError(path, `'${name}' must be int32 with one value per row (${rows})`);
  }
  return t.data;
}

/** The optional token_ids / sequence_ids of a shard (tensors, or .npy side files). */
async function idsOf(path: string, rows: number) {
  const ids: { tokenIds?: Int32Array; sequenceIds?: Int32Array } = {};
  if (path.endsWith('.safetensors')) {
    const names = new Set((await readSafetensorsHeader(path)).entries.map((e) => e.name));
    for (const [key, name] of [
      ['tokenIds', 'token_ids'],
      ['sequenceIds', 'sequence_ids'],
    ] as const) {
      if (names.has(name))
        ids[key] = int32Of(await readSafetensorsTensor(path, name), path, name, rows);
    }
  } else {
    const base = path.replace(/\.npy$/, '');
    for (const [key, name] of [
      ['tokenIds', 'token_ids'],
      ['sequenceIds', 'sequence_ids'],
    ] as const) {
      const side = `${base}.${name}.npy`;
      if (existsSync(side)) ids[key] = int32Of(await readNpy(side), side, name, rows);
    }
  }
  return ids;
}

/**
 * Shards in file order, unshuffled, with their token and sequence ids, up to maxTokens
 * rows: inspect needs each row's neighbours, which a shuffled dataset does not keep.
 */
export async function* readTokenRows(
  spec: string,
  dIn: number,
  maxTokens: number,
  targetTensor?: string,
): AsyncGenerator<TokenRowsSlice> {
  let seen = 0;
  for (const path of await resolveShards(spec)) {
    if (seen >= maxTokens) return;
    const shard = await openShard(path);
    if (shard.dIn !== dIn) {
      throw new InputError(
        path,
        `activations have width ${shard.dIn} but the SAE expects d_in = ${dIn}`,
      );
    }
    const rows = Math.min(shard.rows, maxTokens - seen);
    if (rows === 0) continue;
    // One unshuffled batch of the shard's first rows: the dataset converts f16 / bf16.
    const dataset = await ActivationDataset.open(path, {
      batchSize: rows,
      shuffle: false,
      epochs: 1,
      ...(targetTensor === undefined ? {} : { targetTensorName: targetTensor }),
    });
    let batch: Float32Array | undefined;
    for await (const b of dataset) {
      batch = b;
      break;
    }
    if (!batch) continue;
    // A paired batch holds the input rows, then the target rows.
    const activations = targetTensor === undefined ? batch : batch.subarray(0, rows * dIn);
    const ids = await idsOf(path, shard.rows);
    seen += rows;
    yield {
      source: path,
      firstRow: 0,
      rows,
      activations,
      ...(targetTensor === undefined ? {} : { target: batch.subarray(rows * dIn) }),
      tokenIds: ids.tokenIds?.subarray(0, rows),
      sequenceIds: ids.sequenceIds?.subarray(0, rows),
    };
  }
}

/** Every row of the shards once, in file order, in batches of at most `batchSize` rows. */
export async function* rowBatches(
  spec: string,
  dIn: number,
  batchSize: number,
  maxTokens = Number.POSITIVE_INFINITY,
  targetTensor?: string,
): AsyncGenerator<Float32Array> {
  for await (const slice of readTokenRows(spec, dIn, maxTokens, targetTensor)) {
    yield* sliceBatches(slice, dIn, batchSize);
  }
}

/**
 * A slice's rows in batches of at most `batchSize`; with a target, paired batches (input
 * rows, then target rows) as a transcoder's evaluation takes them.
 */
export function* sliceBatches(
  slice: TokenRowsSlice,
  dIn: number,
  batchSize: number,
): Generator<Float32Array> {
  for (let r = 0; r < slice.rows; r += batchSize) {
    const end = Math.min(slice.rows, r + batchSize);
    const input = slice.activations.subarray(r * dIn, end * dIn);
    yield slice.target === undefined
      ? input
      : pairedBatch(input, slice.target.subarray(r * dIn, end * dIn), end - r);
  }
}

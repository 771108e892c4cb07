import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyntheticActivations } from '@saekit/core';
import { encodeLlama2cTokenizer, ShardWriter, writeNpz } from '@saekit/io';
import { syntheticSeed } from '../synthetic-seed.js';

export interface SynthOptions {
  out: string;
  dIn: number;
  tokens: number;
  rowsPerShard: number;
  features?: number;
  active: number;
  dtype: 'f32' | 'f16' | 'bf16';
  seqLen: number;
  seed: number;
  heldOut?: string;
  heldOutTokens: number;
  /** Transcoder data: also write targets (the features through a second dictionary) as this tensor. */
  targetTensor?: string;
}

/** Index of the true feature most aligned with each row: the row's "token". */
function dominantFeatures(acts: Float32Array, dictionary: Float32Array, dIn: number): Int32Array {
  const rows = acts.length / dIn;
  const n = dictionary.length / dIn;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestDot = Number.NEGATIVE_INFINITY;
    for (let f = 0; f < n; f++) {
      let dot = 0;
      for (let c = 0; c < dIn; c++) dot += acts[r * dIn + c] * dictionary[f * dIn + c];
      if (dot > bestDot) {
        bestDot = dot;
        best = f;
      }
    }
    out[r] = best;
  }
  return out;
}

/** The true dictionary [nFeatures, dIn] of synthetic shards, beside them (not a shard). */
export const TRUE_DICTIONARY = 'true-dictionary.npz';

/**
 * Writes `tokens` rows of `generator` as shards in `out` with token_ids and sequence_ids,
 * plus a llama2.c `tokenizer.bin` whose token i reads " f<i>": each row's token is the true
 * feature most aligned with it, so inspect's contexts show which true feature a latent learned.
 */
export async function writeSyntheticShards(
  generator: SyntheticActivations,
  out: string,
  o: {
    tokens: number;
    rowsPerShard: number;
    dtype: SynthOptions['dtype'];
    seqLen: number;
    targetTensor?: string;
  },
): Promise<void> {
  const dIn = generator.dIn;
  const writer = new ShardWriter(out, {
    dIn,
    dtype: o.dtype,
    rowsPerShard: o.rowsPerShard,
    ...(o.targetTensor === undefined ? {} : { targetTensor: o.targetTensor }),
  });
  const chunk = 4096;
  for (let row = 0; row < o.tokens; row += chunk) {
    const rows = Math.min(chunk, o.tokens - row);
    // A transcoder generator's batch is paired: the input rows, then the target rows.
    const batch = generator.batch(rows);
    const acts = batch.subarray(0, rows * dIn);
    const target = generator.targetDictionary === null ? undefined : batch.subarray(rows * dIn);
    const sequenceIds = new Int32Array(rows);
    for (let i = 0; i < rows; i++) sequenceIds[i] = Math.floor((row + i) / o.seqLen);
    await writer.append(
      acts,
      dominantFeatures(acts, generator.dictionary, dIn),
      sequenceIds,
      target,
    );
  }
  await writer.close();
  const pieces = Array.from({ length: generator.nFeatures }, (_, i) => ` f${i}`);
  writeFileSync(join(out, 'tokenizer.bin'), encodeLlama2cTokenizer(pieces));
  // The true dictionary, so inspect can score feature recovery on these shards.
  await writeNpz(join(out, TRUE_DICTIONARY), {
    dictionary: { shape: [generator.nFeatures, dIn], data: generator.dictionary },
    ...(generator.targetDictionary === null
      ? {}
      : {
          target_dictionary: {
            shape: [generator.nFeatures, dIn],
            data: generator.targetDictionary,
          },
        }),
  });
}

export async function runSynth(o: SynthOptions): Promise<void> {
  const generator = new SyntheticActivations({
    dIn: o.dIn,
    nFeatures: o.features ?? 4 * o.dIn,
    activePerToken: o.active,
    seed: syntheticSeed(o.seed),
    ...(o.targetTensor === undefined ? {} : { transcoder: true }),
  });
  await writeSyntheticShards(generator, o.out, o);
  process.stderr.write(
    `wrote ${o.tokens} synthetic rows of width ${o.dIn} (${generator.nFeatures} true features) ` +
      `${o.targetTensor === undefined ? '' : `with targets '${o.targetTensor}' `}and tokenizer.bin to ${o.out}\n`,
  );
  if (o.heldOut !== undefined) {
    // The same generator, drawn further: the same features, tokens never trained on.
    await writeSyntheticShards(generator, o.heldOut, { ...o, tokens: o.heldOutTokens });
    process.stderr.write(`wrote ${o.heldOutTokens} held-out rows to ${o.heldOut}\n`);
  }
}

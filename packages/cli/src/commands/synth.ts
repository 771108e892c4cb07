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
  o: { tokens: number; rowsPerShard: number; dtype: SynthOptions['dtype']; seqLen: number },
): Promise<void> {
  const dIn = generator.dIn;
  const writer = new ShardWriter(out, { dIn, dtype: o.dtype, rowsPerShard: o.rowsPerShard });
  const chunk = 4096;
  for (let row = 0; row < o.tokens; row += chunk) {
    const rows = Math.min(chunk, o.tokens - row);
    const acts = generator.batch(rows);
    const sequenceIds = new Int32Array(rows);
    for (let i = 0; i < rows; i++) sequenceIds[i] = Math.floor((row + i) / o.seqLen);
    await writer.append(acts, dominantFeatures(acts, generator.dictionary, dIn), sequenceIds);
  }
  await writer.close();
  const pieces = Array.from({ length: generator.nFeatures }, (_, i) => ` f${i}`);
  writeFileSync(join(out, 'tokenizer.bin'), encodeLlama2cTokenizer(pieces));
  // The true dictionary, so inspect can score feature recovery on these shards.
  await writeNpz(join(out, TRUE_DICTIONARY), {
    dictionary: { shape: [generator.nFeatures, dIn], data: generator.dictionary },
  });
}

export async function runSynth(o: SynthOptions): Promise<void> {
  const generator = new SyntheticActivations({
    dIn: o.dIn,
    nFeatures: o.features ?? 4 * o.dIn,
    activePerToken: o.active,
    seed: syntheticSeed(o.seed),
  });
  await writeSyntheticShards(generator, o.out, o);
  process.stderr.write(
    `wrote ${o.tokens} synthetic rows of width ${o.dIn} (${generator.nFeatures} true features) ` +
      `and tokenizer.bin to ${o.out}\n`,
  );
  if (o.heldOut !== undefined) {
    // The same generator, drawn further: the same features, tokens never trained on.
    await writeSyntheticShards(generator, o.heldOut, { ...o, tokens: o.heldOutTokens });
    process.stderr.write(`wrote ${o.heldOutTokens} held-out rows to ${o.heldOut}\n`);
  }
}

import { Rng, SyntheticActivations } from '@saekit/core';
import { ShardWriter } from '@saekit/io';

export interface SynthOptions {
  out: string;
  dIn: number;
  tokens: number;
  rowsPerShard: number;
  features?: number;
  active: number;
  dtype: 'f32' | 'f16' | 'bf16';
  vocab: number;
  seqLen: number;
  seed: number;
}

const DTYPE = { f32: 'float32', f16: 'float16', bf16: 'bfloat16' } as const;

/**
 * Writes shards from the seeded synthetic generator, with token_ids (random ids in
 * [0, vocab)) and sequence_ids (consecutive runs of seqLen rows), so every CLI path that
 * reads real shards, including inspect's contexts, can be exercised without a model.
 */
export async function runSynth(o: SynthOptions): Promise<void> {
  const generator = new SyntheticActivations({
    dIn: o.dIn,
    nFeatures: o.features ?? 4 * o.dIn,
    activePerToken: o.active,
    seed: o.seed,
  });
  const tokenRng = new Rng(o.seed ^ 0x5eed);
  const writer = await ShardWriter.create(o.out, {
    dIn: o.dIn,
    dtype: DTYPE[o.dtype],
    rowsPerShard: o.rowsPerShard,
  });
  const chunk = 4096;
  for (let row = 0; row < o.tokens; row += chunk) {
    const rows = Math.min(chunk, o.tokens - row);
    const acts = generator.batch(rows);
    const tokenIds = new Int32Array(rows);
    const sequenceIds = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      tokenIds[i] = tokenRng.int(o.vocab);
      sequenceIds[i] = Math.floor((row + i) / o.seqLen);
    }
    await writer.append(acts, tokenIds, sequenceIds);
  }
  await writer.close();
  process.stderr.write(`wrote ${o.tokens} synthetic rows of width ${o.dIn} to ${o.out}\n`);
}

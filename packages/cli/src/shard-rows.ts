import { openShards } from '@saekit/io';
import { InputError } from './errors.js';
import type { TokenRows } from './report/contexts.js';

export interface TokenRowsSlice extends TokenRows {
  readonly activations: Float32Array;
}

/**
 * Shards in file order, unshuffled, with their token and sequence ids, up to maxTokens
 * rows: inspect needs each row's neighbours, which a shuffled dataset does not keep.
 */
export async function* readTokenRows(
  spec: string,
  dIn: number,
  maxTokens: number,
  chunkRows = 4096,
): AsyncGenerator<TokenRowsSlice> {
  let seen = 0;
  for (const shard of await openShards(spec)) {
    if (shard.dIn !== dIn) {
      throw new InputError(
        shard.path,
        `activations have width ${shard.dIn} but the SAE expects d_in = ${dIn}`,
      );
    }
    const { activations, tokenIds, sequenceIds } = await shard.read();
    for (let first = 0; first < shard.rows && seen < maxTokens; first += chunkRows) {
      const rows = Math.min(chunkRows, shard.rows - first, maxTokens - seen);
      seen += rows;
      yield {
        source: shard.path,
        firstRow: first,
        rows,
        activations: activations.subarray(first * dIn, (first + rows) * dIn),
        tokenIds: tokenIds?.subarray(first, first + rows),
        sequenceIds: sequenceIds?.subarray(first, first + rows),
      };
    }
    if (seen >= maxTokens) return;
  }
}

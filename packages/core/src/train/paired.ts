import { DataError } from '../errors.js';

/**
 * A transcoder's batch: input rows and the target rows they should predict, in one
 * Float32Array so that every stream of batches (sources, a sweep's broadcast, the trainer)
 * carries it unchanged. The input block [rows × dIn] comes first, then the target block
 * [rows × dOut]; row r of one belongs to row r of the other.
 */
export function pairedBatch(input: Float32Array, target: Float32Array, rows: number): Float32Array {
  if (input.length % rows !== 0 || target.length % rows !== 0) {
    throw new DataError(
      `input (${input.length} values) and target (${target.length} values) are not both ${rows} rows`,
      'pairedBatch',
    );
  }
  const out = new Float32Array(input.length + target.length);
  out.set(input, 0);
  out.set(target, input.length);
  return out;
}

export interface SplitBatch {
  readonly rows: number;
  /** [rows × dIn], a view into the batch. */
  readonly input: Float32Array;
  /** [rows × dOut], a view into the batch; the input itself for an SAE. */
  readonly target: Float32Array;
}

/**
 * The input and target blocks of a batch (`pairedBatch`), or the batch as both when
 * `paired` is false. `source` names the batch in a DataError when its length fits no
 * whole number of rows.
 */
export function splitBatch(
  batch: Float32Array,
  dIn: number,
  paired: boolean,
  source: string,
  rows?: number,
): SplitBatch {
  const width = paired ? 2 * dIn : dIn;
  const what = paired ? `2 × dIn = ${width} (input and target rows)` : `dIn = ${dIn}`;
  if (rows !== undefined && batch.length !== rows * width) {
    throw new DataError(
      `has ${batch.length} values, expected ${rows} rows × ${paired ? what : `dIn ${dIn}`} = ${rows * width} (does the data's width match dIn?)`,
      source,
    );
  }
  if (batch.length === 0 || batch.length % width !== 0) {
    throw new DataError(
      `has ${batch.length} values, not a positive multiple of ${what} (does the data's width match dIn?)`,
      source,
    );
  }
  const n = batch.length / width;
  if (!paired) return { rows: n, input: batch, target: batch };
  return {
    rows: n,
    input: batch.subarray(0, n * dIn),
    target: batch.subarray(n * dIn),
  };
}

/** Throws a DataError for the first non-finite value of a [rows × d] block, by row and column. */
export function checkFiniteRows(data: Float32Array, d: number, source: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new DataError(
        `non-finite value ${data[i]} at column ${i % d}`,
        source,
        Math.floor(i / d),
      );
    }
  }
}

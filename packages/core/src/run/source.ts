import { ConfigError } from '../errors.js';
import { SyntheticActivations, type SyntheticOptions } from '../synthetic/synthetic.js';
import type { Json } from '../train/state.js';

/**
 * Where a run's batches come from. A run takes one batch per step, so "after the first n
 * batches" is a complete data position: the run saves `positionAt(stepsDone)` with each
 * checkpoint and a resumed run calls `open` with it.
 */
export interface RunSource {
  /** Width of a row when known before reading; a run checks it against config.dIn first. */
  readonly dIn?: number;
  /** The stream of batches [rows × dIn], started at `position` (from `positionAt`) or at its beginning. */
  open(position: Json | null): AsyncIterable<Float32Array> | Promise<AsyncIterable<Float32Array>>;
  /** JSON that `open` continues from, just after the stream's first `batches` batches. */
  positionAt(batches: number): Json;
}

/**
 * A source whose stream is a pure function of how many batches were drawn (a seeded
 * generator, a fixed list): its position is that count and `open` replays the draws to get
 * there, which costs a fraction of the training it skips.
 */
export function countedSource(
  stream: () => AsyncIterable<Float32Array> | Iterable<Float32Array>,
  dIn?: number,
): RunSource {
  return {
    ...(dIn === undefined ? {} : { dIn }),
    positionAt: (batches) => batches,
    open: (position) => skipped(stream(), countOf(position)),
  };
}

function countOf(position: Json | null): number {
  if (position === null) return 0;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    throw new ConfigError(
      'position',
      `a counted source's position is a batch count, got ${JSON.stringify(position)}`,
    );
  }
  return position;
}

async function* skipped(
  stream: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  skip: number,
): AsyncGenerator<Float32Array> {
  let seen = 0;
  for await (const batch of stream) {
    if (seen++ >= skip) yield batch;
  }
}

/**
 * The synthetic generator (design §3 metrics) as a run source: endless batches of
 * `options.batchSize` rows, and the true dictionary to score feature recovery with (the
 * target dictionary with `options.transcoder`: the one a transcoder's decoder should find).
 */
export function syntheticSource(
  options: SyntheticOptions,
): RunSource & { readonly dictionary: Float32Array } {
  let first: SyntheticActivations | null = new SyntheticActivations(options);
  const dictionary = first.targetDictionary ?? first.dictionary;
  const stream = () => {
    const g = first ?? new SyntheticActivations(options);
    first = null;
    return g;
  };
  return { ...countedSource(stream, options.dIn), dictionary };
}

import { basename } from 'node:path';
import { ConfigError, DataError, type JsonObject, markFinite, Rng } from '@saekit/core';
import { FormatError } from '../errors.js';
import { DecodePool, workerCanRead } from './decode-pool.js';
import { checkIdentities, isShardIdentity, type ShardIdentity, shardIdentity } from './identity.js';
import { resolveShards } from './resolve.js';
import { openHandle, openShard, readShardRows, type ShardInfo } from './shard.js';

export interface ActivationDatasetOptions {
  /** Rows (tokens) per batch. */
  readonly batchSize: number;
  /**
   * Rows held and shuffled together in memory (the shuffle window). Memory is about
   * (1 + readAhead) windows of shuffleBuffer × d × 4 bytes, whatever the dataset size.
   * Default: max(4 × batchSize, 16384), at most the dataset.
   */
  readonly shuffleBuffer?: number;
  /** false: rows in file order (shards in spec order). Default true. */
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Passes over the data; Infinity streams forever. Default 1. */
  readonly epochs?: number;
  /**
   * Drop the last, incomplete batch of the final epoch (default true: training wants equal
   * batches). false hands it out short, so every row is seen: what an evaluation wants.
   * A batch larger than the whole dataset is refused unless this is false.
   */
  readonly dropLast?: boolean;
  /** Tensor to read from .safetensors shards (default `activations`, or the only tensor). */
  readonly tensorName?: string;
  /**
   * A transcoder's target: a second tensor of every .safetensors shard (e.g. `mlp_out`), with
   * the same rows and width as the input tensor. Batches are then paired (core's
   * `pairedBatch`: the input rows, then the target rows in the same shuffled order).
   */
  readonly targetTensorName?: string;
  /** Where to start: a value from `position()` of an earlier run over the same shards. */
  readonly position?: DatasetPosition;
  /** Windows read ahead while the current one is consumed. Default 1. */
  readonly readAhead?: number;
  /**
   * Hand out batches from two recycled buffers instead of a fresh array each time: a batch
   * is then overwritten two batches later. Saves the page faults of fresh allocations; safe
   * for consumers that copy each batch before asking for the next one (Trainer.train and
   * Trainer.step do, into the backend). Default false.
   */
  readonly reuseBatches?: boolean;
  /**
   * Worker threads that read, decode (f16/bf16 → f32) and check rows off the main thread, so
   * a training loop on the main thread only pays for the shuffled copy. 0 (default) does it
   * all on the calling thread. Batches are identical either way.
   */
  readonly workers?: number;
}

/** A JSON-serialisable place in the batch stream; `open(..., { position })` resumes there. */
export interface DatasetPosition extends JsonObject {
  format: 'saekit-dataset-position';
  version: 1;
  /** Batches handed out so far; the next batch is number `batches`. */
  batches: number;
  batchSize: number;
  shuffleBuffer: number;
  shuffle: boolean;
  seed: number;
  /** Shard names and row counts, hashed: resuming over different data is refused. */
  fingerprint: string;
  /**
   * Each shard's content identity (size, mtime, sampled-block hash), so a shard replaced
   * by other content of the same shape is named on resume. Absent in positions saved
   * before it existed.
   */
  files: ShardIdentity[];
}

interface Chunk {
  readonly shard: number;
  readonly start: number;
  readonly rows: number;
}

interface Window {
  readonly rows: number;
  /** The pooled buffer `data` (and `target`) are views of (shuffleBuffer rows each). */
  readonly buffer: Float32Array;
  readonly data: Float32Array;
  /** The target rows, row r belonging to data's row r; null without a target tensor. */
  readonly target: Float32Array | null;
  /** Order in which the window's rows are handed out. */
  readonly order: Uint32Array;
}

/** Mixes integers into a 32-bit seed (murmur3 finalizer), so every epoch/window gets its own stream. */
function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    let k = Math.imul(p >>> 0, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) >>> 0;
    // Numbers above 2^32 (row counts) contribute their high bits too.
    h ^= Math.floor(p / 4294967296) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function positiveInt(key: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1)
    throw new ConfigError(key, `must be a positive integer, got ${v}`);
  return v;
}

/**
 * A stream of Float32 batches [batchSize × dIn] from activation shards (.npy or
 * .safetensors; f32, f16, bf16 on disk).
 *
 * Shuffling is a pure function of (seed, epoch, window), which is what makes resuming exact
 * and cheap: each epoch permutes fixed-size chunks of every shard (so rows from different
 * shards meet), cuts the permuted stream into windows of `shuffleBuffer` rows, and hands out
 * each window's rows in a seeded random order. A batch may span windows and epochs; the last
 * incomplete batch of the final epoch is dropped unless `dropLast` is false. Resuming from `position()` recomputes the
 * window it stopped in and continues, so the batches are exactly those an uninterrupted run
 * would have seen.
 */
export class ActivationDataset implements AsyncIterable<Float32Array> {
  readonly shards: readonly ShardInfo[];
  /** The target tensor of each shard (same order), when batches are paired; else null. */
  readonly targets: readonly ShardInfo[] | null;
  /** The target tensor's name, or null. */
  readonly targetTensor: string | null;
  readonly dIn: number;
  /** Rows in one epoch. */
  readonly rows: number;
  readonly batchSize: number;
  readonly shuffleBuffer: number;
  readonly epochs: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly #readAhead: number;
  readonly #batchRing: Float32Array[] | undefined;
  readonly #decoders: DecodePool | undefined;
  readonly #chunkRows: number;
  readonly #fingerprint: string;
  readonly #identities: readonly ShardIdentity[];
  #batches: number;
  /** Chunk orders of the (at most two) epochs in use: a batch can straddle an epoch boundary. */
  readonly #epochChunks = new Map<number, { chunks: Chunk[]; starts: number[] }>();
  readonly #windows = new Map<string, Promise<Window>>();
  /**
   * Window buffers no longer in use. Reusing them matters: reading into fresh memory costs a
   * page fault per 4 KiB, several times the cost of the read itself from the page cache.
   */
  readonly #pool: Float32Array[] = [];
  /** Loaded windows still in #windows, so their buffers can be pooled as soon as they are dropped. */
  readonly #ready = new Map<string, Window>();
  #allocated = 0;

  private constructor(
    shards: ShardInfo[],
    targets: ShardInfo[] | null,
    identities: readonly ShardIdentity[],
    options: ActivationDatasetOptions,
  ) {
    this.shards = shards;
    this.targets = targets;
    // open() reads targets exactly when targetTensorName is given, so both arms agree.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    this.targetTensor = targets === null ? null : (options.targetTensorName ?? null);
    this.#identities = identities;
    this.dIn = shards[0].dIn;
    this.rows = shards.reduce((n, s) => n + s.rows, 0);
    this.batchSize = positiveInt('batchSize', options.batchSize);
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    if (!Number.isSafeInteger(this.seed)) throw new ConfigError('seed', 'must be an integer');
    const epochs = options.epochs ?? 1;
    if (!(epochs === Number.POSITIVE_INFINITY || (Number.isSafeInteger(epochs) && epochs >= 1))) {
      throw new ConfigError('epochs', `must be a positive integer or Infinity, got ${epochs}`);
    }
    this.epochs = epochs;
    this.dropLast = options.dropLast ?? true;
    if (this.dropLast && this.batchSize > this.rows) {
      throw new ConfigError(
        'batchSize',
        `${this.batchSize} is larger than the whole dataset (${this.rows} rows in ${shards.length} shard${shards.length === 1 ? '' : 's'}); use a batch of at most ${this.rows}`,
      );
    }
    const buffer =
      options.shuffleBuffer === undefined
        ? Math.max(4 * this.batchSize, 16384)
        : positiveInt('shuffleBuffer', options.shuffleBuffer);
    this.shuffleBuffer = Math.min(buffer, this.rows);
    this.#batchRing = options.reuseBatches === true ? [] : undefined;
    const workers = options.workers ?? 0;
    if (!Number.isSafeInteger(workers) || workers < 0) {
      throw new ConfigError('workers', `must be a non-negative integer, got ${workers}`);
    }
    // Mutants here are equivalent for the batches, which are identical with and without decode
    // workers (the workers test compares them).
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
    this.#decoders = workers > 0 ? new DecodePool(workers) : undefined;
    this.#readAhead = options.readAhead ?? 1;
    if (!Number.isSafeInteger(this.#readAhead) || this.#readAhead < 0) {
      throw new ConfigError('readAhead', 'must be a non-negative integer');
    }
    // Eight chunks per window: big sequential reads, and every window mixes several shards.
    this.#chunkRows = Math.max(1, Math.ceil(this.shuffleBuffer / 8));
    // Folded shard by shard (no argument spreading, so any number of shards works).
    let fp = mix(shards.length, this.dIn);
    for (const shard of shards) {
      const name = basename(shard.path);
      let h = mix(shard.rows, name.length);
      for (let i = 0; i < name.length; i++) h = mix(h, name.charCodeAt(i));
      fp = mix(fp, h);
    }
    // Paired data is another stream: a position saved without the target (or with another
    // one) does not fit it. Unpaired fingerprints stay what they were.
    const target = this.targetTensor;
    if (target !== null) for (let i = 0; i < target.length; i++) fp = mix(fp, target.charCodeAt(i));
    this.#fingerprint = fp.toString(16);
    this.#batches = 0;
    const p = options.position;
    if (p !== undefined) this.#restore(p);
  }

  /** Opens the shards named by `spec` (a directory, a glob, a file, or a list of them). */
  static async open(
    spec: string | readonly string[],
    options: ActivationDatasetOptions,
  ): Promise<ActivationDataset> {
    const paths = await resolveShards(spec);
    const shards: ShardInfo[] = [];
    for (const path of paths) shards.push(await openShard(path, options.tensorName));
    const dIn = shards[0].dIn;
    for (const s of shards) {
      if (s.dIn !== dIn) {
        throw new DataError(`has ${s.dIn} columns, but ${shards[0].path} has ${dIn}`, s.path, 0);
      }
    }
    if (shards.every((s) => s.rows === 0))
      throw new DataError('shards hold no rows', paths.join(', '));
    const targetName = options.targetTensorName;
    let targets: ShardInfo[] | null = null;
    if (targetName !== undefined) {
      targets = [];
      for (const s of shards) targets.push(await openTarget(s, targetName, options.tensorName));
    }
    const identities: ShardIdentity[] = [];
    // A few at a time: thousands of shards should not open thousands of files at once.
    // Stryker disable next-line EqualityOperator: equivalent: one more pass at i = length slices nothing.
    for (let i = 0; i < paths.length; i += 16) {
      identities.push(...(await Promise.all(paths.slice(i, i + 16).map(shardIdentity))));
    }
    return new ActivationDataset(shards, targets, identities, options);
  }

  /** Batches over all epochs (the last one short when dropLast is false); Infinity when epochs is. */
  get totalBatches(): number {
    const n = (this.rows * this.epochs) / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /**
   * Shuffle windows held in memory or being read right now (diagnostics): at most
   * 1 + readAhead, each of at most shuffleBuffer rows, whatever the dataset size.
   */
  get windowsHeld(): number {
    return this.#windows.size;
  }

  /** Window buffers allocated so far (diagnostics): 1 + readAhead in steady state. */
  get windowBuffers(): number {
    return this.#allocated;
  }

  /** Where the stream is now: batches already handed out are not handed out again on resume. */
  position(): DatasetPosition {
    return this.positionAt(this.#batches);
  }

  /**
   * The position after the first `batches` batches, whatever has been read so far. A trainer
   * that takes one batch per step can save `positionAt(trainer.stepsDone)`, which stays right
   * even while it holds batches it has pulled but not trained on yet.
   */
  positionAt(batches: number): DatasetPosition {
    if (!Number.isSafeInteger(batches) || batches < 0 || batches > this.totalBatches) {
      throw new ConfigError('position', `batch ${batches} is outside this dataset`);
    }
    return {
      format: 'saekit-dataset-position',
      version: 1,
      batches,
      batchSize: this.batchSize,
      shuffleBuffer: this.shuffleBuffer,
      shuffle: this.shuffle,
      seed: this.seed,
      fingerprint: this.#fingerprint,
      files: this.#identities.map((f) => ({ ...f })),
    };
  }

  #restore(p: DatasetPosition): void {
    if (
      p === null ||
      // A primitive has no `format` either, so the next test refuses it with the same error.
      // Stryker disable next-line ConditionalExpression: equivalent, see above
      typeof p !== 'object' ||
      p.format !== 'saekit-dataset-position' ||
      p.version !== 1
    ) {
      throw new ConfigError('position', 'not a saekit dataset position (format/version)');
    }
    // Content first: it names the shard that changed, where the fingerprint cannot.
    if (Array.isArray(p.files)) {
      if (!p.files.every(isShardIdentity)) {
        throw new ConfigError('position', 'files: not a list of shard identities');
      }
      checkIdentities(
        p.files,
        this.#identities,
        this.shards.map((s) => s.path),
      );
    }
    const same: [keyof DatasetPosition, unknown][] = [
      ['batchSize', this.batchSize],
      ['shuffleBuffer', this.shuffleBuffer],
      ['shuffle', this.shuffle],
      ['seed', this.seed],
      ['fingerprint', this.#fingerprint],
    ];
    for (const [key, value] of same) {
      if (p[key] !== value) {
        throw new ConfigError(
          'position',
          `was saved with ${key} ${JSON.stringify(p[key])}, this dataset has ${JSON.stringify(value)}`,
        );
      }
    }
    if (!Number.isSafeInteger(p.batches) || p.batches < 0 || p.batches > this.totalBatches) {
      throw new ConfigError('position', `batch ${p.batches} is outside this dataset`);
    }
    this.#batches = p.batches;
  }

  #chunksOf(epoch: number): { chunks: Chunk[]; starts: number[] } {
    const cached = this.#epochChunks.get(epoch);
    // Stryker disable next-line ConditionalExpression: equivalent: a cache; recomputing gives the same order.
    if (cached !== undefined) return cached;
    const chunks: Chunk[] = [];
    this.shards.forEach((s, shard) => {
      for (let start = 0; start < s.rows; start += this.#chunkRows) {
        chunks.push({ shard, start, rows: Math.min(this.#chunkRows, s.rows - start) });
      }
    });
    if (this.shuffle) new Rng(mix(this.seed, epoch, 1)).shuffle(chunks);
    const starts: number[] = [];
    let at = 0;
    for (const c of chunks) {
      starts.push(at);
      at += c.rows;
    }
    // Mutants here are equivalent: cache eviction; an evicted epoch's chunk order is recomputed
    // identically.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: equivalent, see above
    for (const e of this.#epochChunks.keys()) if (e < epoch - 1) this.#epochChunks.delete(e);
    const entry = { chunks, starts };
    this.#epochChunks.set(epoch, entry);
    return entry;
  }

  /** Loads window `w` of `epoch`: rows [w·W, (w+1)·W) of the epoch's chunk stream. */
  async #loadWindow(epoch: number, w: number): Promise<Window> {
    const { chunks, starts } = this.#chunksOf(epoch);
    const first = w * this.shuffleBuffer;
    const rows = Math.min(this.shuffleBuffer, this.rows - first);
    let buffer = this.#pool.pop();
    const span = this.shuffleBuffer * this.dIn;
    if (buffer === undefined) {
      // Stryker disable next-line ConditionalExpression: equivalent: a larger buffer only costs memory
      const n = this.targets === null ? span : 2 * span;
      // Workers write into the window directly, so it must be shared memory.
      buffer =
        // Mutants here are equivalent: a Float32Array over shared memory reads and writes like one
        // over an ArrayBuffer.
        // Stryker disable next-line ConditionalExpression: equivalent, see above
        this.#decoders === undefined
          ? new Float32Array(n)
          : new Float32Array(new SharedArrayBuffer(n * 4));
      this.#allocated++;
    }
    const data = buffer.subarray(0, rows * this.dIn);
    const target = this.targets === null ? null : buffer.subarray(span, span + rows * this.dIn);
    // Binary search for the chunk holding the window's first row.
    let lo = 0;
    // Mutants here are equivalent: indices past the end read undefined, which compares false, so
    // the search never settles there.
    // Stryker disable next-line ArithmeticOperator: equivalent, see above
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      // Mutants here are equivalent: stopping one chunk early takes 0 rows from it (skip = its
      // length) and continues at the right chunk.
      // Stryker disable next-line EqualityOperator: equivalent, see above
      if (starts[mid] <= first) lo = mid;
      else hi = mid - 1;
    }
    // Stryker disable next-line ArrayDeclaration: equivalent: Promise.all passes a non-promise through.
    const reads: Promise<void>[] = [];
    let filled = 0;
    for (let c = lo; filled < rows; c++) {
      const chunk = chunks[c];
      const skip = filled === 0 ? first - starts[c] : 0;
      const take = Math.min(chunk.rows - skip, rows - filled);
      const from = chunk.start + skip;
      const at = [filled * this.dIn, (filled + take) * this.dIn] as const;
      reads.push(this.#readRows(this.shards[chunk.shard], from, take, data.subarray(...at)));
      // target is null exactly when this.targets is (see above), so either test alone decides.
      // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, see above
      if (target !== null && this.targets !== null) {
        reads.push(this.#readRows(this.targets[chunk.shard], from, take, target.subarray(...at)));
      }
      filled += take;
    }
    await Promise.all(reads);
    const order = new Uint32Array(rows);
    // Stryker disable next-line EqualityOperator: equivalent: a typed array ignores the write at [rows].
    for (let i = 0; i < rows; i++) order[i] = i;
    if (this.shuffle) new Rng(mix(this.seed, epoch, w, 2)).shuffle(order);
    return { rows, buffer, data, target, order };
  }

  /** Rows [start, start + count) of one tensor of a shard into `out`, on a worker if any. */
  #readRows(shard: ShardInfo, start: number, count: number, out: Float32Array): Promise<void> {
    const decoders = this.#decoders;
    // Mutants here are equivalent for the batches: the main-thread read below gives the same rows
    // (the workers tests compare them).
    // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent, see above
    if (decoders !== undefined && workerCanRead(shard)) {
      return decoders.read(shard, start, count, out);
    }
    return (async () => {
      const handle = await openHandle(shard.path);
      try {
        await readShardRows(shard, handle, start, count, out, {});
      } finally {
        await handle.close();
      }
    })();
  }

  #window(epoch: number, w: number): Promise<Window> {
    const key = `${epoch}:${w}`;
    let p = this.#windows.get(key);
    if (p === undefined) {
      const loading = this.#loadWindow(epoch, w);
      p = loading;
      this.#windows.set(key, p);
      loading.then(
        (win) => {
          // Forgotten while loading: its buffer goes straight back to the pool.
          // Mutants here are equivalent for the batches: a window is forgotten while loading only when
          // iteration ends, and the buffer it would leak is never asked for again.
          // Stryker disable next-line ConditionalExpression: equivalent, see above
          if (this.#windows.get(key) === loading) this.#ready.set(key, win);
          else this.#release(win);
        },
        // A prefetch may fail before anyone awaits it; the error surfaces when it is awaited.
        () => {},
      );
    }
    return p;
  }

  #release(win: Window): void {
    // The pool only ever holds released buffers, at most the 1 + readAhead windows in use, so the
    // bound never binds while iterating in order.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (this.#pool.length <= this.#readAhead) this.#pool.push(win.buffer);
  }

  /**
   * Forgets the windows before (epoch, w), returning their buffers to the pool, then starts
   * loading the `readAhead` windows after it. Called only once the iterator is done with
   * every earlier window.
   */
  #prefetch(epoch: number, w: number): void {
    const perEpoch = Math.ceil(this.rows / this.shuffleBuffer);
    const ahead: [number, number][] = [];
    let e = epoch;
    let ww = w;
    for (let i = 0; i < this.#readAhead; i++) {
      ww++;
      if (ww >= perEpoch) {
        ww = 0;
        e++;
      }
      if (e >= this.epochs) break;
      ahead.push([e, ww]);
    }
    const keep = new Set([`${epoch}:${w}`, ...ahead.map(([x, y]) => `${x}:${y}`)]);
    for (const key of this.#windows.keys()) {
      if (keep.has(key)) continue;
      this.#windows.delete(key);
      const win = this.#ready.get(key);
      // In-order iteration forgets only loaded windows (those behind it), so win is always found.
      // Stryker disable next-line ConditionalExpression: equivalent, see above
      if (win !== undefined) {
        this.#ready.delete(key);
        this.#release(win);
      }
    }
    for (const [x, y] of ahead) this.#window(x, y);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    const d = this.dIn;
    // A paired batch holds the input rows, then the target rows.
    const blocks = this.targets === null ? 1 : 2;
    while (this.#batches < this.totalBatches) {
      const ring = this.#batchRing;
      let row = this.#batches * this.batchSize;
      // Only the final batch with dropLast false is short.
      const size = Math.min(this.batchSize, this.rows * this.epochs - row);
      let batch: Float32Array;
      if (ring === undefined || size < this.batchSize) batch = new Float32Array(blocks * size * d);
      else {
        batch = ring.length < 2 ? new Float32Array(blocks * this.batchSize * d) : ring.shift()!;
        ring.push(batch);
      }
      let filled = 0;
      while (filled < size) {
        const epoch = Math.floor(row / this.rows);
        const inEpoch = row - epoch * this.rows;
        const w = Math.floor(inEpoch / this.shuffleBuffer);
        const offset = inEpoch - w * this.shuffleBuffer;
        const window = await this.#window(epoch, w);
        this.#prefetch(epoch, w);
        const take = Math.min(window.rows - offset, size - filled);
        for (let i = 0; i < take; i++) {
          const r = window.order[offset + i];
          batch.set(window.data.subarray(r * d, (r + 1) * d), (filled + i) * d);
        }
        const target = window.target;
        if (target !== null) {
          for (let i = 0; i < take; i++) {
            const r = window.order[offset + i];
            batch.set(target.subarray(r * d, (r + 1) * d), (size + filled + i) * d);
          }
        }
        filled += take;
        row += take;
      }
      this.#batches++;
      // Every row came from a window whose decode rejected non-finite values (naming the shard
      // and row), so the trainer need not scan the batch again.
      yield markFinite(batch);
    }
    this.#windows.clear();
    this.#ready.clear();
    await this.close();
  }

  /** Stops the decode workers, if any (they restart if the dataset is read again). */
  async close(): Promise<void> {
    // Stryker: emptying this survives. The workers are unref'd, so one left running keeps nothing
    // alive and no test can see it; close() is for callers that want the threads gone at once.
    await this.#decoders?.close();
  }
}

/**
 * The target tensor of a shard whose input is `input`: in the same .safetensors file, with
 * the same rows and width (typed errors name the file and both tensors otherwise).
 */
async function openTarget(
  input: ShardInfo,
  targetName: string,
  inputName: string | undefined,
): Promise<ShardInfo> {
  if (!input.path.endsWith('.safetensors')) {
    throw new FormatError(
      input.path,
      `a .npy shard holds one tensor, so it has no target '${targetName}': a transcoder needs .safetensors shards holding both tensors`,
    );
  }
  const target = await openShard(input.path, targetName);
  const inName = inputName ?? 'the input tensor';
  const named = (n: string) => (n.startsWith('the ') ? n : `'${n}'`);
  if (target.dataStart === input.dataStart) {
    throw new DataError(
      `target tensor '${targetName}' is ${named(inName)} itself; a transcoder predicts another tensor`,
      input.path,
    );
  }
  if (target.rows !== input.rows) {
    throw new DataError(
      `target tensor '${targetName}' has ${target.rows} rows but ${named(inName)} has ${input.rows}: every row of one must pair with a row of the other`,
      input.path,
    );
  }
  if (target.dIn !== input.dIn) {
    throw new DataError(
      `target tensor '${targetName}' has width ${target.dIn} but ${named(inName)} has ${input.dIn}: transcoders with d_out ≠ d_in are not supported yet`,
      input.path,
    );
  }
  return target;
}

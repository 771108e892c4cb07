/**
 * Where collected activations go. Its shape is @saekit/io's ShardWriter, so collection can
 * write shards to disk or keep rows in memory without knowing which.
 */
export interface ActivationSink {
  /** Rows [n, dIn] row-major, with the token id and the sequence id of each row. */
  append(rows: Float32Array, tokenIds?: Int32Array, sequenceIds?: Int32Array): Promise<void>;
  /** Flushes what is buffered (ShardWriter returns the shard paths; the value is not used). */
  close(): Promise<unknown>;
}

/** Collected activations held in host memory, in collection order. */
export interface ActivationTable {
  readonly dIn: number;
  readonly rows: number;
  readonly activations: Float32Array; // [rows, dIn]
  readonly tokenIds: Int32Array; // [rows]
  readonly sequenceIds: Int32Array; // [rows]
}

/** An ActivationSink that keeps everything in growable host arrays. */
export class MemoryActivations implements ActivationSink {
  readonly dIn: number;
  #rows = 0;
  #acts: Float32Array;
  #tokens: Int32Array;
  #seqs: Int32Array;

  constructor(dIn: number, capacityRows = 1024) {
    this.dIn = dIn;
    this.#acts = new Float32Array(capacityRows * dIn);
    this.#tokens = new Int32Array(capacityRows);
    this.#seqs = new Int32Array(capacityRows);
  }

  async append(rows: Float32Array, tokenIds?: Int32Array, sequenceIds?: Int32Array): Promise<void> {
    const n = rows.length / this.dIn;
    if (!Number.isInteger(n)) {
      throw new RangeError(`${rows.length} values is not a whole number of rows of ${this.dIn}`);
    }
    if ((tokenIds && tokenIds.length !== n) || (sequenceIds && sequenceIds.length !== n)) {
      throw new RangeError(`token or sequence ids do not match the ${n} rows appended`);
    }
    this.#reserve(this.#rows + n);
    this.#acts.set(rows, this.#rows * this.dIn);
    this.#tokens.set(tokenIds ?? new Int32Array(n).fill(-1), this.#rows);
    this.#seqs.set(sequenceIds ?? new Int32Array(n).fill(-1), this.#rows);
    this.#rows += n;
  }

  async close(): Promise<void> {}

  table(): ActivationTable {
    return {
      dIn: this.dIn,
      rows: this.#rows,
      activations: this.#acts.subarray(0, this.#rows * this.dIn),
      tokenIds: this.#tokens.subarray(0, this.#rows),
      sequenceIds: this.#seqs.subarray(0, this.#rows),
    };
  }

  #reserve(rows: number): void {
    if (rows <= this.#tokens.length) return;
    const capacity = Math.max(rows, this.#tokens.length * 2);
    const acts = new Float32Array(capacity * this.dIn);
    acts.set(this.#acts);
    const tokens = new Int32Array(capacity);
    tokens.set(this.#tokens);
    const seqs = new Int32Array(capacity);
    seqs.set(this.#seqs);
    this.#acts = acts;
    this.#tokens = tokens;
    this.#seqs = seqs;
  }
}

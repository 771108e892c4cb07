import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, DataError } from '@saekit/core';
import { type TensorInput, writeSafetensors } from '../formats/safetensors.js';

export type ShardDtype = 'f32' | 'f16' | 'bf16';

export interface ShardWriterOptions {
  readonly dIn: number;
  /** On-disk precision of `activations`. Default f32. */
  readonly dtype?: ShardDtype;
  /** Rows per shard file (the last may be shorter). Default: about 256 MiB of f32 rows. */
  readonly rowsPerShard?: number;
  /** File name prefix; shards are `<prefix>-00000.safetensors`, ... Default `shard`. */
  readonly prefix?: string;
  /** Extra `__metadata__` written into every shard (e.g. model and hook names). */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * A transcoder's target: every append then passes `target` rows [n × dIn] too, written as a
   * second tensor of this name (same dtype) beside `activations`.
   */
  readonly targetTensor?: string;
}

const DTYPE = { f32: 'F32', f16: 'F16', bf16: 'BF16' } as const;

/**
 * Appends activation rows into safetensors shards of a fixed number of rows: tensor
 * `activations` [rows, dIn], plus int32 `token_ids` and `sequence_ids` [rows] when given
 * (which token and which text each row came from; rows of one sequence are consecutive).
 * Each shard is written atomically once full; `close()` writes the remainder.
 */
export class ShardWriter {
  readonly dir: string;
  readonly dIn: number;
  readonly dtype: ShardDtype;
  readonly rowsPerShard: number;
  readonly #prefix: string;
  readonly #metadata: Readonly<Record<string, string>>;
  readonly #targetTensor: string | undefined;
  #rows: Float32Array | undefined;
  #target: Float32Array | undefined;
  #tokenIds: Int32Array | undefined;
  #sequenceIds: Int32Array | undefined;
  /** Whether the shard being filled has ids; every append to it must agree. */
  #withIds: { tokens: boolean; sequences: boolean } | undefined;
  #filled = 0;
  #appended = 0;
  #closed = false;
  readonly #written: string[] = [];

  constructor(dir: string, options: ShardWriterOptions) {
    this.dir = dir;
    if (!Number.isSafeInteger(options.dIn) || options.dIn < 1) {
      throw new ConfigError('dIn', `must be a positive integer, got ${options.dIn}`);
    }
    this.dIn = options.dIn;
    this.dtype = options.dtype ?? 'f32';
    if (!(this.dtype in DTYPE))
      throw new ConfigError('dtype', `must be f32, f16 or bf16, got ${this.dtype}`);
    // The buffer of one shard is held in memory as f32, so the default bounds it, not the rows.
    this.rowsPerShard = options.rowsPerShard ?? Math.max(1, Math.floor(2 ** 28 / (4 * this.dIn)));
    if (!Number.isSafeInteger(this.rowsPerShard) || this.rowsPerShard < 1) {
      throw new ConfigError('rowsPerShard', `must be a positive integer, got ${this.rowsPerShard}`);
    }
    this.#prefix = options.prefix ?? 'shard';
    this.#metadata = options.metadata ?? {};
    this.#targetTensor = options.targetTensor;
    const reserved = ['activations', 'token_ids', 'sequence_ids'];
    if (this.#targetTensor !== undefined && reserved.includes(this.#targetTensor)) {
      throw new ConfigError(
        'targetTensor',
        `'${this.#targetTensor}' names another tensor of a shard`,
      );
    }
  }

  /** Paths of the shards written so far. */
  get shards(): readonly string[] {
    return this.#written;
  }

  /** Rows appended so far (written or buffered). */
  get rowCount(): number {
    return this.#appended;
  }

  /**
   * Appends rows [n × dIn] (row-major) and, optionally, one token id and one sequence id per
   * row, and with `targetTensor` the target rows. Non-finite values are refused, naming the
   * row (counted from the first append).
   */
  async append(
    rows: Float32Array,
    tokenIds?: Int32Array,
    sequenceIds?: Int32Array,
    target?: Float32Array,
  ): Promise<void> {
    if (this.#closed) throw new DataError('append after close', this.dir);
    if ((target !== undefined) !== (this.#targetTensor !== undefined)) {
      throw new DataError(
        this.#targetTensor === undefined
          ? 'target rows given to a writer without targetTensor'
          : `every append needs the '${this.#targetTensor}' rows`,
        this.dir,
      );
    }
    if (target !== undefined && target.length !== rows.length) {
      throw new DataError(
        `'${this.#targetTensor}' has ${target.length} values for ${rows.length} input values`,
        this.dir,
      );
    }
    if (rows.length % this.dIn !== 0) {
      throw new DataError(
        `${rows.length} values are not whole rows of width ${this.dIn}`,
        this.dir,
      );
    }
    const n = rows.length / this.dIn;
    for (const [name, ids] of [
      ['tokenIds', tokenIds],
      ['sequenceIds', sequenceIds],
    ] as const) {
      if (ids !== undefined && ids.length !== n) {
        throw new DataError(`${name} has ${ids.length} entries for ${n} rows`, this.dir);
      }
    }
    for (const [what, a] of [
      ['', rows],
      [` in '${this.#targetTensor}'`, target ?? new Float32Array(0)],
    ] as const) {
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (v - v !== 0) {
          throw new DataError(
            `non-finite value ${v}${what}`,
            this.dir,
            this.#appended + Math.floor(i / this.dIn),
          );
        }
      }
    }
    let done = 0;
    while (done < n) {
      if (this.#withIds === undefined) {
        this.#withIds = { tokens: tokenIds !== undefined, sequences: sequenceIds !== undefined };
      } else if (
        this.#withIds.tokens !== (tokenIds !== undefined) ||
        this.#withIds.sequences !== (sequenceIds !== undefined)
      ) {
        throw new DataError(
          'every append to a shard must pass the same ids (token / sequence)',
          this.dir,
        );
      }
      const take = Math.min(n - done, this.rowsPerShard - this.#filled);
      this.#rows ??= new Float32Array(this.rowsPerShard * this.dIn);
      this.#rows.set(
        rows.subarray(done * this.dIn, (done + take) * this.dIn),
        this.#filled * this.dIn,
      );
      if (target !== undefined) {
        this.#target ??= new Float32Array(this.rowsPerShard * this.dIn);
        this.#target.set(
          target.subarray(done * this.dIn, (done + take) * this.dIn),
          this.#filled * this.dIn,
        );
      }
      if (tokenIds !== undefined) {
        this.#tokenIds ??= new Int32Array(this.rowsPerShard);
        this.#tokenIds.set(tokenIds.subarray(done, done + take), this.#filled);
      }
      if (sequenceIds !== undefined) {
        this.#sequenceIds ??= new Int32Array(this.rowsPerShard);
        this.#sequenceIds.set(sequenceIds.subarray(done, done + take), this.#filled);
      }
      this.#filled += take;
      this.#appended += take;
      done += take;
      if (this.#filled === this.rowsPerShard) await this.#flush();
    }
  }

  async #flush(): Promise<void> {
    if (this.#filled === 0 || this.#rows === undefined) return;
    const n = this.#filled;
    const tensors: Record<string, TensorInput> = {
      activations: {
        dtype: DTYPE[this.dtype],
        shape: [n, this.dIn],
        data: this.#rows.subarray(0, n * this.dIn),
      },
    };
    if (this.#targetTensor !== undefined && this.#target !== undefined) {
      tensors[this.#targetTensor] = {
        dtype: DTYPE[this.dtype],
        shape: [n, this.dIn],
        data: this.#target.subarray(0, n * this.dIn),
      };
    }
    if (this.#withIds?.tokens && this.#tokenIds !== undefined) {
      tensors['token_ids'] = { shape: [n], data: this.#tokenIds.subarray(0, n) };
    }
    if (this.#withIds?.sequences && this.#sequenceIds !== undefined) {
      tensors['sequence_ids'] = { shape: [n], data: this.#sequenceIds.subarray(0, n) };
    }
    await mkdir(this.dir, { recursive: true });
    const path = join(
      this.dir,
      `${this.#prefix}-${String(this.#written.length).padStart(5, '0')}.safetensors`,
    );
    await writeSafetensors(path, tensors, { ...this.#metadata, saekit: 'activation-shard' });
    this.#written.push(path);
    this.#filled = 0;
    this.#withIds = undefined;
  }

  /** Writes the last, partial shard. Returns every shard path written. */
  async close(): Promise<readonly string[]> {
    if (!this.#closed) {
      await this.#flush();
      this.#closed = true;
    }
    return this.#written;
  }
}

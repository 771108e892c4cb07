import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DataError } from '@saekit/core';
import { FormatError } from '../errors.js';
import type { ShardInfo } from './shard.js';

/**
 * The worker's whole program, as source: it reads rows of a shard straight from the file,
 * decodes them to f32 into a shared window buffer and checks them for non-finite values, so
 * the main thread only shuffles and copies. Kept as a string (run with `eval`) so it works the
 * same from TypeScript sources, the ESM build and the CJS build, with no file to locate.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const half = new Float32Array(65536);
for (let h = 0; h < 65536; h++) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, f = h & 1023;
  half[h] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f === 0 ? s * Infinity : NaN) : s * (1 + f / 1024) * 2 ** (e - 15);
}
const halfBits = new Uint32Array(half.buffer);
let scratch = new Uint8Array(0);
function readAll(fd, buf, length, position) {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new Error('truncated: wanted ' + length + ' bytes at offset ' + position + ', file ends after ' + done);
    done += n;
  }
}
parentPort.on('message', (m) => {
  let fd = -1;
  try {
    const out = new Float32Array(m.buffer, m.byteOffset, m.count * m.dIn);
    const length = m.count * m.rowBytes;
    const position = m.dataStart + m.start * m.rowBytes;
    fd = fs.openSync(m.path, 'r');
    let bad = -1;
    if (m.dtype === 'F32') {
      readAll(fd, new Uint8Array(m.buffer, m.byteOffset, length), length, position);
      for (let b = 0; b < out.length && bad < 0; b += 4096) {
        const end = Math.min(out.length, b + 4096);
        let s = 0;
        for (let i = b; i < end; i++) s += out[i] * 0;
        if (s !== 0) for (let i = b; i < end; i++) if (out[i] - out[i] !== 0) { bad = i; break; }
      }
    } else {
      if (scratch.byteLength < length) scratch = new Uint8Array(length);
      readAll(fd, scratch, length, position);
      const src = new Uint16Array(scratch.buffer, 0, out.length);
      const dst = new Uint32Array(m.buffer, m.byteOffset, out.length);
      if (m.dtype === 'F16') {
        for (let i = 0; i < src.length; i++) {
          const h = src[i];
          dst[i] = halfBits[h];
          if ((h & 0x7c00) === 0x7c00 && bad < 0) bad = i;
        }
      } else {
        for (let i = 0; i < src.length; i++) {
          const h = src[i];
          dst[i] = h << 16;
          if ((h & 0x7f80) === 0x7f80 && bad < 0) bad = i;
        }
      }
    }
    parentPort.postMessage({ id: m.id, bad, value: bad >= 0 ? out[bad] : 0 });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
});
`;

interface Reply {
  readonly id: number;
  readonly bad?: number;
  readonly value?: number;
  readonly error?: string;
}

/** Shards a worker can decode: little-endian f32, f16, bf16 (others stay on the main thread). */
export function workerCanRead(shard: ShardInfo): boolean {
  return shard.littleEndian && shard.dtype !== 'F64' && !shard.fortranOrder;
}

/**
 * A few worker threads that read and decode row ranges of shards into shared memory. Workers
 * are unref'd: an idle pool never keeps the process alive.
 */
export class DecodePool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  readonly #busy: number[] = [];
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; worker: number }>();
  #nextId = 0;

  constructor(size: number) {
    this.size = Math.max(1, Math.min(size, availableParallelism()));
  }

  #start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      worker.on('message', (r: Reply) => {
        const p = this.#pending.get(r.id);
        if (p === undefined) return;
        this.#pending.delete(r.id);
        this.#busy[p.worker]--;
        if (this.#busy[p.worker] === 0) worker.unref();
        p.resolve(r);
      });
      worker.on('error', (error) => {
        for (const [id, p] of this.#pending) {
          if (p.worker === i) {
            this.#pending.delete(id);
            p.resolve({ id, error: String(error) });
          }
        }
      });
      this.#workers.push(worker);
      this.#busy.push(0);
    }
  }

  /** Reads rows [start, start + count) of `shard` into `out`, a view of a SharedArrayBuffer. */
  async read(shard: ShardInfo, start: number, count: number, out: Float32Array): Promise<void> {
    if (this.#workers.length === 0) this.#start();
    let w = 0;
    for (let i = 1; i < this.#busy.length; i++) if (this.#busy[i] < this.#busy[w]) w = i;
    const id = this.#nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.#pending.set(id, { resolve, worker: w });
      if (this.#busy[w]++ === 0) this.#workers[w].ref();
      this.#workers[w].postMessage({
        id,
        path: shard.path,
        dtype: shard.dtype,
        dIn: shard.dIn,
        rowBytes: shard.rowBytes,
        dataStart: shard.dataStart,
        start,
        count,
        buffer: out.buffer,
        byteOffset: out.byteOffset,
      });
    });
    if (reply.error !== undefined) throw new FormatError(shard.path, reply.error);
    if (reply.bad !== undefined && reply.bad >= 0) {
      throw new DataError(
        `non-finite value ${reply.value} in column ${reply.bad % shard.dIn}`,
        shard.path,
        start + Math.floor(reply.bad / shard.dIn),
      );
    }
  }

  /** Stops the workers (a new read starts them again). */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    this.#busy.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

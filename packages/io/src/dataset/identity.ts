import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataError, type JsonObject } from '@saekit/core';
import { asFileSystemError } from '../util/fs-errors.js';

/**
 * What a shard's content is, cheaply enough for terabytes of data: its size, its mtime, and
 * a hash of a few sampled blocks (the header and rows at fixed fractions of the file). A
 * replaced shard of the same shape — other values, another dtype, rows reordered — changes
 * the hash; a moved or copied one keeps it (its mtime may change).
 */
export interface ShardIdentity extends JsonObject {
  name: string;
  size: number;
  mtimeMs: number;
  /** sha256 (hex, first 16 bytes) of the sampled blocks. */
  sample: string;
}

const BLOCK = 4096;
/** Where blocks are sampled, as fractions of the file (plus its last block). */
const AT = [0, 0.25, 0.5, 0.75];

export async function shardIdentity(path: string): Promise<ShardIdentity> {
  try {
    const info = await stat(path);
    const handle = await open(path, 'r');
    try {
      const hash = createHash('sha256');
      const buf = new Uint8Array(BLOCK);
      const offsets = [...AT.map((f) => Math.floor(f * info.size)), info.size - BLOCK];
      for (const offset of offsets) {
        const at = Math.max(0, Math.min(offset, info.size - BLOCK));
        const { bytesRead } = await handle.read(buf, 0, BLOCK, at);
        hash.update(buf.subarray(0, bytesRead));
      }
      return {
        name: basename(path),
        size: info.size,
        mtimeMs: info.mtimeMs,
        sample: hash.digest('hex').slice(0, 32),
      };
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw asFileSystemError(err, path, 'read');
  }
}

/**
 * Checks the shards now against the identities saved with a position; a DataError names the
 * first shard that is missing, extra or changed (and how). Where the data lives does not
 * matter: moved data resumes.
 */
export function checkIdentities(
  saved: readonly ShardIdentity[],
  now: readonly ShardIdentity[],
  paths: readonly string[],
): void {
  for (let i = 0; i < Math.max(saved.length, now.length); i++) {
    const was = saved[i];
    const is = now[i];
    if (was === undefined) {
      throw new DataError(
        `was not part of the saved run's data (${saved.length} shards)`,
        paths[i],
      );
    }
    if (is === undefined) {
      throw new DataError(`missing: the saved run's shard ${i + 1} of ${saved.length}`, was.name);
    }
    if (was.name !== is.name) {
      throw new DataError(`is shard ${i + 1} here, where the saved run had ${was.name}`, paths[i]);
    }
    if (was.size !== is.size) {
      throw new DataError(
        `changed since the saved run: ${was.size} bytes then, ${is.size} now`,
        paths[i],
      );
    }
    if (was.sample !== is.sample) {
      const touched =
        was.mtimeMs === is.mtimeMs ? '' : ` (modified ${new Date(is.mtimeMs).toISOString()})`;
      throw new DataError(
        `changed since the saved run: same size, different content${touched}`,
        paths[i],
      );
    }
  }
}

export function isShardIdentity(v: unknown): v is ShardIdentity {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['name'] === 'string' &&
    typeof o['size'] === 'number' &&
    typeof o['mtimeMs'] === 'number' &&
    typeof o['sample'] === 'string'
  );
}

import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataError } from '@saekit/core';
import { glob, isDynamicPattern } from 'tinyglobby';

const SHARD_EXT = /\.(npy|safetensors)$/;
/** Side files next to .npy shards (`<name>.token_ids.npy`, `<name>.sequence_ids.npy`). */
const SIDE_FILE = /\.(token_ids|sequence_ids)\.npy$/;

function isShard(name: string): boolean {
  return SHARD_EXT.test(name) && !SIDE_FILE.test(name);
}

async function resolveOne(spec: string): Promise<string[]> {
  if (isDynamicPattern(spec)) {
    const found = await glob(spec, { absolute: true, onlyFiles: true, expandDirectories: false });
    return found.filter(isShard).sort();
  }
  const info = await stat(spec).catch(() => undefined);
  if (info === undefined) throw new DataError('no such file or directory', spec);
  if (info.isDirectory()) {
    const names = (await readdir(spec)).filter(isShard).sort();
    return names.map((n) => resolve(join(spec, n)));
  }
  return [resolve(spec)];
}

/**
 * Turns a dataset spec (a directory, a glob, a file, or a list of those) into a sorted,
 * de-duplicated list of shard paths. Order is by name within each spec, specs in the order
 * given, so a dataset is the same on every machine.
 */
export async function resolveShards(spec: string | readonly string[]): Promise<string[]> {
  const specs = typeof spec === 'string' ? [spec] : spec;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of specs) {
    for (const p of await resolveOne(s)) {
      if (!seen.has(p)) {
        seen.add(p);
        out.push(p);
      }
    }
  }
  if (out.length === 0) {
    throw new DataError(`no .npy or .safetensors shards found`, specs.join(', '));
  }
  return out;
}

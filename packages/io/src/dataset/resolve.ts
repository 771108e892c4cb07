import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { DataError } from '@saekit/core';
import { glob, isDynamicPattern } from 'tinyglobby';
import { asFileSystemError } from '../util/fs-errors.js';

const SHARD_EXT = /\.(npy|safetensors)$/;
/** Side files next to .npy shards (`<name>.token_ids.npy`, `<name>.sequence_ids.npy`). */
const SIDE_FILE = /\.(token_ids|sequence_ids)\.npy$/;

function isShard(name: string): boolean {
  return SHARD_EXT.test(name) && !SIDE_FILE.test(name);
}

/** A shard is a regular file (a link to one is fine); FIFOs, devices, folders are not. */
async function regularFile(path: string): Promise<boolean> {
  const info = await stat(path).catch((err: unknown) => {
    throw asFileSystemError(err, path, 'read');
  });
  return info.isFile();
}

/** The folder a glob walks: its path up to the first segment with a wildcard. */
function globRoot(pattern: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (isDynamicPattern(part)) break;
    fixed.push(part);
  }
  return resolve(fixed.join('/') || '.');
}

/**
 * Files matched by a glob, kept inside the folder it walks: `**` does not follow a symlinked
 * folder out of it (`up → ..`), and a file reached twice through links counts once. A
 * symlinked file inside the folder is read wherever it points (dataset caches link blobs).
 */
async function resolveGlob(spec: string): Promise<string[]> {
  const root = await realpath(globRoot(spec)).catch(() => globRoot(spec));
  const inside = (p: string) => p === root || p.startsWith(`${root}${sep}`);
  const found = (
    await glob(spec, { absolute: true, onlyFiles: true, expandDirectories: false })
  ).sort();
  const seen = new Set<string>();
  const out: string[] = [];
  for (const path of found.filter(isShard)) {
    const [folder, real] = await Promise.all(
      [dirname(path), path].map((p) =>
        realpath(p).catch((err: unknown) => {
          throw asFileSystemError(err, p, 'read');
        }),
      ),
    );
    if (!inside(folder) || seen.has(real) || !(await regularFile(path))) continue;
    seen.add(real);
    out.push(path);
  }
  return out;
}

async function resolveOne(spec: string): Promise<string[]> {
  if (isDynamicPattern(spec)) return resolveGlob(spec);
  const info = await stat(spec).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asFileSystemError(err, spec, 'read');
  });
  if (info === undefined) throw new DataError('no such file or directory', spec);
  if (info.isDirectory()) {
    const out: string[] = [];
    for (const name of (await readdir(spec)).filter(isShard).sort()) {
      const path = resolve(join(spec, name));
      if (await regularFile(path)) out.push(path);
    }
    return out;
  }
  if (!info.isFile()) {
    throw new DataError('not a regular file (a FIFO, socket or device cannot be a shard)', spec);
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

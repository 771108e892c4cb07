import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  ActivationDataset,
  asFileSystemError,
  FileSystemError,
  FormatError,
  readNpz,
  removeStaleTempFiles,
  resolveShards,
  tempPathFor,
  writeNpy,
} from '../src/index.js';
import { fixture, withTempDir } from './helpers.js';

const shard = { shape: [4, 3], data: new Float32Array(12).fill(1) };

describe('issue 13 #13: file-system failures name the path', () => {
  it('a write error without a path (ENOSPC from write) becomes one line naming the file', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    });
    const err = asFileSystemError(enospc, '/runs/a/sae_weights.safetensors', 'write');
    expect(err).toBeInstanceOf(FileSystemError);
    expect(String((err as Error).message)).toBe(
      '/runs/a/sae_weights.safetensors: cannot write: no space left on device',
    );
    const erofs = Object.assign(new Error('x'), { code: 'EROFS' });
    expect((asFileSystemError(erofs, '/ro/x') as Error).message).toBe(
      '/ro/x: read-only file system',
    );
    // Anything else is left alone (a bug stays a bug).
    const other = new TypeError('boom');
    expect(asFileSystemError(other, '/x')).toBe(other);
  });

  it('a symlink loop in a data path is a FileSystemError naming it', async () => {
    await withTempDir(async (dir) => {
      await symlink(join(dir, 'b'), join(dir, 'a'));
      await symlink(join(dir, 'a'), join(dir, 'b'));
      const err = await resolveShards(join(dir, 'a', 'x.npy')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileSystemError);
      expect(String(err)).toMatch(/a\/x\.npy: cannot read: too many levels of symbolic links/);
    });
  });
});

describe('issue 13 #14: temp files of killed writers', () => {
  it('removeStaleTempFiles deletes those of dead processes and keeps a live writer’s', async () => {
    await withTempDir(async (dir) => {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
      try {
        const stale = `.training_state.safetensors.${dead}.0123456789ab.tmp`;
        const busy = `.training_state.safetensors.${live.pid}.0123456789ab.tmp`;
        const mine = tempPathFor(join(dir, 'cfg.json'));
        for (const name of [stale, busy, 'training_state.safetensors', '.hidden.tmp']) {
          await writeFile(join(dir, name), 'x');
        }
        await writeFile(mine, 'x');
        expect(await removeStaleTempFiles(dir)).toEqual([stale]);
        expect((await readdir(dir)).sort()).toEqual(
          [busy, '.hidden.tmp', 'training_state.safetensors', mine.slice(dir.length + 1)].sort(),
        );
      } finally {
        live.kill();
      }
    });
  });
});

describe('issue 13 #15: only regular files are data', () => {
  it('a FIFO named *.npy is refused at once (it used to hang)', async () => {
    await withTempDir(async (dir) => {
      const fifo = join(dir, 'acts.npy');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const err = await ActivationDataset.open(fifo, { batchSize: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect(String(err)).toMatch(/acts\.npy: not a regular file/);
      // In a folder, it is not a shard.
      await writeNpy(join(dir, 'real.npy'), shard);
      expect(await resolveShards(dir)).toEqual([join(dir, 'real.npy')]);
    });
  });

  it('a directory named *.npy inside a data folder is not a shard', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'old.npy'));
      await writeNpy(join(dir, 'part-0.npy'), shard);
      const ds = await ActivationDataset.open(dir, { batchSize: 2 });
      expect(ds.shards.map((s) => s.path)).toEqual([join(dir, 'part-0.npy')]);
    });
  });
});

describe('issue 13 #16: globs stay inside their root', () => {
  it('** does not follow a symlinked folder out of the root, nor count a file twice', async () => {
    await withTempDir(async (dir) => {
      const data = join(dir, 'data');
      await mkdir(join(data, 'sub'), { recursive: true });
      await writeNpy(join(dir, 'outside.npy'), shard);
      await writeNpy(join(data, 'a.npy'), shard);
      await writeNpy(join(data, 'sub', 'b.npy'), shard);
      await symlink('..', join(data, 'up'));
      await symlink('.', join(data, 'sub', 'here'));
      // A file linked into the folder is data (dataset caches link their blobs).
      await symlink('../outside.npy', join(data, 'linked.npy'));
      expect(await resolveShards(join(data, '**', '*.npy'))).toEqual([
        join(data, 'a.npy'),
        join(data, 'linked.npy'),
        join(data, 'sub', 'b.npy'),
      ]);
    });
  });
});

describe('issue 13 #17: compressed npz has a memory bound', () => {
  const bomb = fixture('npz', 'zeros_256mib.npz');

  it('declared sizes over maxBytes are refused before anything is inflated', async () => {
    const err = await readNpz(bomb, { maxBytes: 64 * 2 ** 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(String(err)).toMatch(
      /members declare 268435584 bytes uncompressed, over the 67108864-byte bound/,
    );
  });

  it('a member that inflates past its declared size is stopped there', async () => {
    await withTempDir(async (dir) => {
      const bytes = new Uint8Array(await readFile(bomb));
      const dv = new DataView(bytes.buffer);
      // Lie in the central directory: W_enc.npy claims 1 MiB.
      let cd = -1;
      for (let i = bytes.length - 22; i >= 0; i--) {
        if (dv.getUint32(i, true) === 0x02014b50) {
          cd = i;
          break;
        }
      }
      expect(dv.getUint32(cd + 24, true)).toBe(268435584);
      dv.setUint32(cd + 24, 2 ** 20, true);
      const lying = join(dir, 'lying.npz');
      await writeFile(lying, bytes);
      await expect(readNpz(lying)).rejects.toThrow(
        /member 'W_enc\.npy': inflates past its declared size 1048576/,
      );
    });
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOneLineError, SAEKIT, saekit, tempDir } from './saekit.js';

const SMALL = [
  'train',
  '--synthetic',
  '--d-in',
  '32',
  '--d-sae',
  '256',
  '--k',
  '4',
  '--steps',
  '4',
  '--batch-size',
  '64',
  '--backend',
  'cpu',
];

/** The last line of stderr: the error, alone, with no stack and no "looks like a bug". */
function errorLine(stderr: string): string {
  expect(stderr).not.toMatch(/looks like a bug|\n\s+at /);
  const lines = stderr.trim().split('\n');
  return lines[lines.length - 1];
}

/**
 * Runs saekit with a small tmpfs mounted on `dir` (in a private user + mount namespace, so
 * no root and nothing outside the process sees it). Undefined where namespaces are off.
 */
function saekitOnTmpfs(dir: string, mountOptions: string, args: readonly string[]) {
  const r = spawnSync(
    'unshare',
    [
      '-rm',
      'sh',
      '-c',
      'mount -t tmpfs -o "$1" tmpfs "$2" && shift 2 && exec "$@"',
      'sh',
      mountOptions,
      dir,
      process.execPath,
      SAEKIT,
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, SAEKIT_DEBUG: '', NO_COLOR: '1' } },
  );
  return { code: r.status, stderr: r.stderr };
}

const namespaces = spawnSync('unshare', ['-rm', 'true']).status === 0;

describe('issue 13: I/O faults are one-line input errors (exit 3) naming the path', () => {
  const dir = tempDir('iofaults');
  afterAll(() => dir.remove());

  it('#13 a symlink loop in --out', () => {
    symlinkSync(join(dir.path, 'loop-b'), join(dir.path, 'loop-a'));
    symlinkSync(join(dir.path, 'loop-a'), join(dir.path, 'loop-b'));
    const r = saekit([...SMALL, '--out', join(dir.path, 'loop-a', 'run')]);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/loop-a\/run: cannot create: too many levels of symbolic links/);
  });

  it.skipIf(!namespaces)('#13 disk full while writing the SAE (tmpfs of 64 KiB)', () => {
    const mnt = join(dir.path, 'full');
    mkdirSync(mnt);
    const r = saekitOnTmpfs(mnt, 'size=64k', [...SMALL, '--out', join(mnt, 'run')]);
    expect(r.code, r.stderr).toBe(3);
    expect(errorLine(r.stderr)).toMatch(
      new RegExp(`^saekit: error: ${mnt}/run/[^ ]+: cannot write: no space left on device$`),
    );
  });

  it.skipIf(!namespaces)('#13 a read-only file system', () => {
    const mnt = join(dir.path, 'ro');
    mkdirSync(mnt);
    const r = saekitOnTmpfs(mnt, 'ro', [...SMALL, '--out', join(mnt, 'run')]);
    expect(r.code, r.stderr).toBe(3);
    expect(errorLine(r.stderr)).toBe(
      `saekit: error: ${mnt}/run: cannot create: read-only file system`,
    );
  });

  it('#14 temp files of a killed run are removed when the run starts again', () => {
    const run = join(dir.path, 'killed');
    expect(saekit([...SMALL, '--out', run]).code).toBe(0);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = join(run, `.training_state.safetensors.${dead}.0123456789ab.tmp`);
    writeFileSync(stale, Buffer.alloc(4096));
    const r = saekit([...SMALL, '--out', run, '--resume', '--steps', '6']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(r.stderr).toContain(`removed .training_state.safetensors.${dead}.0123456789ab.tmp`);
  });

  it('#15 a FIFO named *.npy as --data', () => {
    const fifo = join(dir.path, 'acts.npy');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = saekit([
      ...SMALL.slice(0, 1),
      '--data',
      fifo,
      '--out',
      join(dir.path, 'f'),
      '--steps',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/acts\.npy: not a regular file/);
  });
});

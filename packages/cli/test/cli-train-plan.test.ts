import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saekit, tempDir } from './saekit.js';

const dir = tempDir('plan');
const shards = join(dir.path, 'shards');
const run = join(dir.path, 'run');
const TRAIN = [
  'train',
  '--data',
  shards,
  '--out',
  run,
  '--d-sae',
  '32',
  '--k',
  '4',
  '--batch-size',
  '256',
  '--backend',
  'cpu',
  '--no-progress',
];

beforeAll(() => {
  const r = saekit([
    'synth',
    '--out',
    shards,
    '--d-in',
    '8',
    '--tokens',
    '2048',
    '--rows-per-shard',
    '1024',
  ]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => dir.remove());

describe('train on a dataset of known size', () => {
  it('states the epochs in the plan line and warns past one pass', () => {
    const r = saekit([...TRAIN, '--steps', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^training: .* steps=20 epochs=2\.50 lr=/m);
    expect(r.stderr).toMatch(
      /^warning: 20 steps × 256 tokens is 2\.5 passes over the 2048 rows of --data.*--steps 8/m,
    );
    const one = saekit([...TRAIN, '--steps', '8', '--force']);
    expect(one.stderr).toMatch(/ epochs=1\.00 /);
    expect(one.stderr).not.toMatch(/^warning:/m);
  });

  it('--force removes the report of the run it replaces', () => {
    const i = saekit(['inspect', '--sae', run]);
    expect(i.code, i.stderr).toBe(0);
    expect(existsSync(join(run, 'report.html'))).toBe(true);
    const r = saekit([...TRAIN, '--steps', '4', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(run, 'report.html'))).toBe(false);
  });
});

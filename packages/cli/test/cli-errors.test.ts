import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../package.json';
import { isOneLineError, saekit, tempDir } from './saekit.js';

const CONTRACT_FLAGS: Record<string, string[]> = {
  train: [
    '--data',
    '--out',
    '--d-sae',
    '--k',
    '--steps',
    '--batch-size',
    '--seed',
    '--backend',
    '--architecture',
    '--lr',
    '--synthetic',
    '--d-in',
    '--resume',
  ],
  eval: ['--sae', '--data', '--json'],
  inspect: ['--sae', '--out', '--data', '--tokenizer'],
  convert: ['--from', '--to', '--format'],
  bench: ['--backends', '--config', '--json'],
};

describe('saekit --help', () => {
  it('lists every command and the exit codes', () => {
    const r = saekit(['--help']);
    expect(r.code).toBe(0);
    for (const c of Object.keys(CONTRACT_FLAGS))
      expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
    expect(r.stdout).toContain('130');
  });

  it('bare saekit prints the same help on stdout and exits 0', () => {
    const r = saekit([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(saekit(['--help']).stdout);
  });

  it.each(Object.entries(CONTRACT_FLAGS))(
    '%s --help documents its contract flags',
    (command, flags) => {
      const r = saekit([command, '--help']);
      expect(r.code).toBe(0);
      for (const f of flags) expect(r.stdout).toContain(f);
    },
  );
});

describe('an unquoted glob', () => {
  it('is recognised and the user told to quote it, in one line, exit 2', () => {
    // What the shell passes for `--data acts/*.npy` when three files match.
    const r = saekit([
      'train',
      '--data',
      'acts/a.npy',
      'acts/b.npy',
      'acts/c.npy',
      '--out',
      'runs/x',
    ]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain('--data: got 3 paths');
    expect(r.stderr).toContain('quote the pattern'.replace('q', 'Q'));
    expect(r.stderr).toContain("--data 'acts/*.npy'");
    expect(r.stderr).not.toContain('too many arguments');
  });
});

describe('bad input: one line on stderr, a documented non-zero exit, no stack trace', () => {
  const dir = tempDir('errors');
  const shards16 = join(dir.path, 'shards16');
  const shards8 = join(dir.path, 'shards8');
  const mixed = join(dir.path, 'mixed');

  beforeAll(() => {
    for (const [out, d] of [
      [shards16, '16'],
      [shards8, '8'],
    ]) {
      const r = saekit([
        'synth',
        '--out',
        out,
        '--d-in',
        d,
        '--tokens',
        '512',
        '--rows-per-shard',
        '256',
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    mkdirSync(mixed);
    for (const [d, seed] of [
      ['16', '1'],
      ['8', '2'],
    ]) {
      const r = saekit([
        'synth',
        '--out',
        join(mixed, `w${d}`),
        '--d-in',
        d,
        '--tokens',
        '256',
        '--seed',
        seed,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(() => dir.remove());

  const out = () => join(dir.path, 'run');

  it.each([
    ['a non-numeric --k', ['train', '--synthetic', '--out', 'X', '--k', 'abc'], /--k/],
    ['a zero --steps', ['train', '--synthetic', '--out', 'X', '--steps', '0'], /--steps/],
    ['a negative --lr', ['train', '--synthetic', '--out', 'X', '--lr', '-1'], /--lr/],
    [
      'an unknown backend',
      ['train', '--synthetic', '--out', 'X', '--backend', 'cuda'],
      /--backend/,
    ],
    [
      'an unknown architecture',
      ['train', '--synthetic', '--out', 'X', '--architecture', 'relu'],
      /--architecture/,
    ],
    ['an unknown flag', ['train', '--synthetic', '--out', 'X', '--bogus'], /--bogus/],
    ['a missing --out', ['train', '--synthetic'], /--out/],
    ['neither --data nor --synthetic', ['train', '--out', 'X'], /--data/],
    [
      'both --data and --synthetic',
      ['train', '--out', 'X', '--data', 'd', '--synthetic'],
      /--synthetic|--data/,
    ],
    [
      'k larger than d_sae',
      ['train', '--synthetic', '--out', 'X', '--d-sae', '8', '--k', '16'],
      /k/,
    ],
    ['an unknown command', ['trian'], /trian/],
    ['convert without --format', ['convert', '--from', 'a', '--to', 'b'], /--format/],
    ['a bad bench config', ['bench', '--config', '1,2,3'], /--config/],
  ])('%s → exit 2', (_name, args, mention) => {
    const r = saekit(args.map((a) => (a === 'X' ? out() : a)));
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(mention);
  });

  it('a missing data directory → exit 3 naming it', () => {
    const missing = join(dir.path, 'no-such-dir');
    const r = saekit(['train', '--data', missing, '--out', out(), '--steps', '2']);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toContain('no-such-dir');
  });

  it('shards narrower than --d-in → exit 3', () => {
    const r = saekit([
      'train',
      '--data',
      shards8,
      '--d-in',
      '16',
      '--batch-size',
      '256',
      '--out',
      out(),
      '--steps',
      '2',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/width 8/);
  });

  it('a batch larger than the whole dataset → exit 2, saying how many rows there are', () => {
    const r = saekit([
      'train',
      '--data',
      shards8,
      '--out',
      out(),
      '--steps',
      '2',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/4096 is larger than the whole dataset \(512 rows/);
  });

  it('shards of mixed widths → exit 3', () => {
    const r = saekit([
      'train',
      '--data',
      mixed,
      '--out',
      out(),
      '--steps',
      '2',
      '--backend',
      'cpu',
      '--batch-size',
      '64',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
  });

  it('a missing SAE for eval → exit 3', () => {
    const r = saekit(['eval', '--sae', join(dir.path, 'nope'), '--data', shards16]);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
  });

  it('--resume with nothing to resume → exit 3', () => {
    const r = saekit(['train', '--out', join(dir.path, 'empty'), '--resume']);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
  });

  it('eval on shards whose width differs from the SAE → exit 3', () => {
    const run = join(dir.path, 'run16');
    const t = saekit([
      'train',
      '--data',
      shards16,
      '--out',
      run,
      '--d-sae',
      '32',
      '--k',
      '4',
      '--steps',
      '4',
      '--batch-size',
      '128',
      '--backend',
      'cpu',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const r = saekit(['eval', '--sae', run, '--data', shards8, '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/width 8.*d_in = 16/);
  });
});

describe('train flags come from the library config schema', () => {
  const dir = tempDir('schema');
  afterAll(() => dir.remove());
  const base = ['--synthetic', '--d-in', '8', '--batch-size', '64', '--backend', 'cpu'];

  it('a config error names the flags, not the library keys, and suggests a fix', () => {
    const r = saekit(['train', ...base, '--out', join(dir.path, 'k'), '--d-sae', '8', '--k', '16']);
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toContain('--k: --k 16 exceeds --d-sae 8; lower --k or raise --d-sae');
    expect(r.stderr).not.toMatch(/dSae|invalid config/);
  });

  it('every value core accepts is a flag value: --b-dec-init zeros trains; help lists the choices', () => {
    const help = saekit(['train', '--help']);
    expect(help.stdout).toMatch(/--b-dec-init <name>.*"geometric_median", "mean", "zeros"/s);
    expect(help.stdout).toMatch(/--beta2 <x>\s+Adam β2 \(default: 0\.999\)/);
    const out = join(dir.path, 'zeros');
    const r = saekit(['train', ...base, '--out', out, '--steps', '3', '--b-dec-init', 'zeros']);
    expect(r.code, r.stderr).toBe(0);
    const cfg = JSON.parse(readFileSync(join(out, 'cfg.json'), 'utf8'));
    expect(cfg.saekit.train_config.bDecInit).toBe('zeros');
    const bad = saekit(['train', ...base, '--out', out, '--beta2', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--beta2.*Must be in \[0, 1\), got 1/);
  });

  it('a flag that conflicts with the resumed run is refused, naming the flag', () => {
    const out = join(dir.path, 'resume');
    const r = saekit(['train', ...base, '--out', out, '--steps', '3', '--k', '4']);
    expect(r.code, r.stderr).toBe(0);
    for (const [flag, value] of [
      ['--k', '8'],
      ['--seed', '3'],
      ['--synthetic-active', '2'],
    ]) {
      const again = saekit(['train', '--out', out, '--resume', '--backend', 'cpu', flag, value]);
      expect(again.code, again.stderr).toBe(2);
      expect(isOneLineError(again.stderr), again.stderr).toBe(true);
      expect(again.stderr).toMatch(new RegExp(`${flag}: ${value} differs from the saved run's`));
    }
    // The same values, and a new length, are accepted.
    const same = ['--k', '4', '--batch-size', '64', '--steps', '5'];
    const ok = saekit(['train', '--out', out, '--resume', '--backend', 'cpu', ...same]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('resuming at step 3');
  });

  it('--version is the package version', () => {
    const r = saekit(['--version']);
    expect(r.stdout.trim()).toBe(packageJson.version);
  });
});

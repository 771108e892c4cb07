import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMetrics, readSafetensors } from '@saekit/io';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOneLineError, type RunResult, saekit, saekitInterrupted, tempDir } from './saekit.js';

/**
 * `saekit train --sweep` through the built binary, on shards: 4 SAEs from one stream, each
 * bit-identical to the same flags trained alone; Ctrl-C and --resume of the whole set; the
 * summary table and page.
 */
const dir = tempDir('sweep');
const shards = join(dir.path, 'shards');
const sweepFile = join(dir.path, 'sweep.json');
const BASE = ['--data', shards, '--d-sae', '32', '--k', '4', '--batch-size', '64', '--seed', '7'];
const RUN = ['--steps', '160', '--backend', 'cpu', '--checkpoint-every', '1000'];
/** The members, and the flags that train each alone (BASE's --k 4 is no jumprelu's). */
const MEMBERS = [
  { member: { name: 'k4' }, alone: [...BASE] },
  { member: { k: 8, lr: 0.004 }, alone: [...BASE, '--k', '8', '--lr', '0.004'] },
  {
    member: { architecture: 'batchtopk', dSae: 48 },
    alone: [...BASE, '--architecture', 'batchtopk', '--d-sae', '48'],
  },
  {
    member: { name: 'jump', architecture: 'jumprelu', targetL0: 6, jumpreluBandwidth: 0.2 },
    alone: [
      ...BASE.filter((a, i) => a !== '--k' && BASE[i - 1] !== '--k'),
      '--architecture',
      'jumprelu',
      '--target-l0',
      '6',
      '--jumprelu-bandwidth',
      '0.2',
    ],
  },
];
const NAMES = ['k4', 'm1-k8-lr0_004', 'm2-batchtopk-d-sae48', 'jump'];

async function tensors(path: string): Promise<Record<string, Buffer>> {
  const f = await readSafetensors(path);
  return Object.fromEntries(
    Object.entries(f.tensors).map(([k, t]) => [k, Buffer.from((t.data as Float32Array).buffer)]),
  );
}

async function expectSameWeights(a: string, b: string, what: string): Promise<void> {
  const [x, y] = [await tensors(a), await tensors(b)];
  expect(Object.keys(x).sort(), what).toEqual(Object.keys(y).sort());
  for (const key of Object.keys(x)) expect(x[key].equals(y[key]), `${what} ${key}`).toBe(true);
}

const straight = join(dir.path, 'straight');
let straightRun: RunResult;

beforeAll(() => {
  const r = saekit(['synth', '--out', shards, '--d-in', '16', '--tokens', '4096', '--seed', '2']);
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(sweepFile, JSON.stringify(MEMBERS.map((m) => m.member)));
  straightRun = saekit(['train', '--sweep', sweepFile, '--out', straight, ...BASE, ...RUN]);
  expect(straightRun.code, straightRun.stderr).toBe(0);
}, 120_000);
afterAll(() => dir.remove());

describe('saekit train --sweep', () => {
  it('trains every member bit-identically to the same flags trained alone', async () => {
    for (const [i, m] of MEMBERS.entries()) {
      const alone = join(dir.path, `alone-${i}`);
      const r = saekit(['train', '--out', alone, ...m.alone, ...RUN]);
      expect(r.code, r.stderr).toBe(0);
      const member = join(straight, NAMES[i]);
      await expectSameWeights(
        join(member, 'sae_weights.safetensors'),
        join(alone, 'sae_weights.safetensors'),
        NAMES[i],
      );
      const cfg = JSON.parse(readFileSync(join(member, 'cfg.json'), 'utf8'));
      // BatchTopK is saved as the JumpReLU it runs as.
      expect(cfg.architecture).toBe(i >= 2 ? 'jumprelu' : 'topk');
    }
  }, 120_000);

  it('prints a summary table and writes a page with every member on the FVU–L0 plot', async () => {
    const html = parse(readFileSync(join(straight, 'sweep.html'), 'utf8'));
    for (const name of NAMES) {
      const last = (await readMetrics(join(straight, name, 'metrics.jsonl'))).at(-1);
      expect(last?.step).toBe(160);
      const point = html.querySelector(`svg[data-chart="scatter"] circle[data-name="${name}"]`);
      expect(point, name).not.toBeNull();
      expect(Number(point?.getAttribute('data-x'))).toBe(last?.l0);
      expect(Number(point?.getAttribute('data-y'))).toBe(last?.fvu);
      const row = html.querySelector(`tr[data-member="${name}"]`);
      expect(row?.querySelector('[data-field="fvu"]')?.text).toBe(last?.fvu.toFixed(4));
    }
    expect(html.querySelectorAll('circle.point')).toHaveLength(4);
    // Progress: a line per member (not a TTY: every --log-every steps); the table on stdout.
    const table = straightRun.stdout.trim().split('\n');
    expect(table[0]).toMatch(/^member\s+architecture\s+d_sae\s+k\s+lr\s+steps\s+FVU\s+L0\s+dead %/);
    for (const [i, name] of NAMES.entries()) {
      expect(straightRun.stderr).toMatch(new RegExp(`^${name}\\s+step 160/160 `, 'm'));
      expect(table[i + 1].startsWith(`${name} `)).toBe(true);
    }
  });

  it('Ctrl-C stops the set; --resume finishes it with the uninterrupted weights', async () => {
    const cut = join(dir.path, 'cut');
    const args = ['--sweep', sweepFile, ...BASE, ...RUN, '--log-every', '1'];
    const stopped = await saekitInterrupted(['train', '--out', cut, ...args], /step 20\//);
    expect(stopped.code, stopped.stderr).toBe(130);
    const at = Number(/interrupted at step (\d+); every member saved/.exec(stopped.stderr)?.[1]);
    expect(at).toBeGreaterThanOrEqual(20);
    expect(at).toBeLessThan(160);

    // A changed sweep file, or a flag that differs from a member's saved run, is refused.
    const changed = join(dir.path, 'changed.json');
    writeFileSync(
      changed,
      JSON.stringify(MEMBERS.map((m, i) => (i === 1 ? { ...m.member, k: 16 } : m.member))),
    );
    const refused = saekit([
      'train',
      '--out',
      cut,
      '--resume',
      '--sweep',
      changed,
      '--backend',
      'cpu',
    ]);
    expect(refused.code).toBe(3);
    expect(isOneLineError(refused.stderr)).toBe(true);
    expect(refused.stderr).toContain(`${changed}: member 1 (m1-k8-lr0_004): k: 16; the sweep in`);
    const flag = saekit(['train', '--out', cut, '--resume', '--seed', '8', '--backend', 'cpu']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--seed: member 0 \(k4\): 8 differs from the saved run's 7/);

    const resumed = saekit([
      'train',
      '--out',
      cut,
      '--resume',
      '--backend',
      'cpu',
      '--log-every',
      '1',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming sweep at step ${at}`);
    for (const name of NAMES) {
      await expectSameWeights(
        join(cut, name, 'sae_weights.safetensors'),
        join(straight, name, 'sae_weights.safetensors'),
        name,
      );
      const steps = (await readMetrics(join(cut, name, 'metrics.jsonl'))).map((r) => r.step);
      expect(steps).toEqual(Array.from({ length: 160 }, (_, s) => s + 1));
    }
  }, 120_000);

  it('on synthetic data: members as trained alone, and the features each recovered', async () => {
    const file = join(dir.path, 'synthetic.json');
    writeFileSync(file, JSON.stringify([{ name: 'a' }, { name: 'b', k: 2, dSae: 48 }]));
    const flags = ['--synthetic', '--d-in', '16', '--d-sae', '32', '--k', '4', '--seed', '3'];
    const run = [...flags, '--batch-size', '128', '--steps', '60', '--backend', 'cpu'];
    const sweep = saekit(['train', '--sweep', file, '--out', join(dir.path, 'syn'), ...run]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const alone = saekit([
      'train',
      '--out',
      join(dir.path, 'syn-b'),
      ...run,
      '--k',
      '2',
      '--d-sae',
      '48',
    ]);
    expect(alone.code, alone.stderr).toBe(0);
    await expectSameWeights(
      join(dir.path, 'syn', 'b', 'sae_weights.safetensors'),
      join(dir.path, 'syn-b', 'sae_weights.safetensors'),
      'b',
    );
    const found = /true features \(([\d.]+)%\) found/.exec(alone.stderr)?.[1];
    const table = sweep.stdout.trim().split('\n');
    expect(table[0]).toMatch(/dead %\s+recovered %\s+frontier$/);
    expect(table[2].split(/\s+/)[9]).toBe(found);
  }, 60_000);

  it.each([
    ['[{"k": 4}, {"d-sae": 64}]', /member 1: d-sae: unknown key; members use config keys: 'dSae'/],
    ['[{"k": 0}]', /member 0: k: must be a positive integer, got 0/],
    ['[{"data": "x"}]', /member 0: data: is the whole sweep's .*give it as --data/],
    [
      '[{"k": 4}, {"batchSize": 128}]',
      /member 1 \(m1-batch-size128\): batchSize: 128 differs from member 0's 64: members share one activation stream.*--batch-size/,
    ],
    ['[{"dIn": 8}]', /member 0 \(m0-d-in8\): dIn: 8 differs from the data's width 16/],
    ['[{"k": 40}]', /member 0 \(m0-k40\): k: k = 40 exceeds dSae = 32; lower k or raise dSae/],
    ['[{"name": "a"}, {"name": "a", "k": 2}]', /member 1: name: 'a' is also member 0's/],
    ['{"k": 4}', /must be a JSON array of members/],
    ['[{"k": 4},', /not valid JSON/],
  ])('refuses the sweep file %s, naming the file, member and key', (text, message) => {
    const file = join(dir.path, 'bad.json');
    writeFileSync(file, text);
    const r = saekit(['train', '--sweep', file, '--out', join(dir.path, 'bad'), ...BASE, ...RUN]);
    expect(r.code).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toContain(`${file}: `);
    expect(r.stderr).toMatch(message);
  });
});

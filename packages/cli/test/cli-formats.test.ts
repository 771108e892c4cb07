import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readNpy, readSafetensors } from '@saekit/io';
import { parse } from 'node-html-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { saekit, tempDir } from './saekit.js';

// Checkpoints made by the Python libraries themselves (see packages/io/test/fixtures), with
// the inputs x.npy and the reconstructions those libraries computed, expected_out.npy.
const fixtures = fileURLToPath(new URL('../../io/test/fixtures/checkpoints/', import.meta.url));
const CASES = [
  ['Gemma Scope params.npz', 'gemma_scope', 'gemma_scope/params.npz', 'gemma-scope', 'jumprelu'],
  ['a sparsify folder', 'sparsify_topk', 'sparsify_topk', 'sparsify', 'topk'],
  ['a SAELens JumpReLU folder', 'saelens_jumprelu', 'saelens_jumprelu', 'saelens', 'jumprelu'],
  ['a SAELens Top-K folder', 'saelens_topk', 'saelens_topk', 'saelens', 'topk'],
] as const;

async function referenceFvu(dir: string): Promise<number> {
  const x = (await readNpy(`${fixtures}${dir}/x.npy`)).data as Float32Array;
  const y = (await readNpy(`${fixtures}${dir}/expected_out.npy`)).data as Float32Array;
  const d = (await readNpy(`${fixtures}${dir}/x.npy`)).shape[1];
  const rows = x.length / d;
  let err = 0;
  let total = 0;
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += x[r * d + c] / rows;
    for (let r = 0; r < rows; r++) {
      err += (y[r * d + c] - x[r * d + c]) ** 2;
      total += (x[r * d + c] - mean) ** 2;
    }
  }
  return err / total;
}

describe('eval --sae takes every format and agrees with the library that wrote it', () => {
  const dir = tempDir('formats');
  afterAll(() => dir.remove());

  it.each(CASES)('%s', async (_name, fixture, sae, format, architecture) => {
    const r = saekit([
      'eval',
      '--sae',
      `${fixtures}${sae}`,
      '--data',
      `${fixtures}${fixture}/x.npy`,
      '--json',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ format, architecture, tokens: 6 });
    expect(out.fvu).toBeCloseTo(await referenceFvu(fixture), 5);

    // Converted to saekit's own format, it evaluates the same.
    const converted = `${dir.path}/${fixture}`;
    expect(
      saekit(['convert', '--from', `${fixtures}${sae}`, '--to', converted, '--format', 'saelens'])
        .code,
    ).toBe(0);
    const again = saekit([
      'eval',
      '--sae',
      converted,
      '--data',
      `${fixtures}${fixture}/x.npy`,
      '--json',
      '--backend',
      'cpu',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).fvu).toBe(out.fvu);

    // And inspect reports on it, measuring firing frequencies on the data when the
    // checkpoint has none (the shards carry no token ids: contexts show row numbers).
    const report = `${dir.path}/${fixture}.html`;
    const i = saekit([
      'inspect',
      '--sae',
      `${fixtures}${sae}`,
      '--data',
      `${fixtures}${fixture}/x.npy`,
      '--out',
      report,
      '--features',
      '2',
      '--backend',
      'cpu',
    ]);
    expect(i.code, i.stderr).toBe(0);
    const doc = parse(readFileSync(report, 'utf8'));
    expect(doc.querySelectorAll('svg.chart').length).toBeGreaterThanOrEqual(3);
    expect(doc.querySelectorAll('.feature mark.focus').length).toBeGreaterThan(0);
    // x.npy carries no token ids: each context names its row and shows activation values.
    expect(doc.querySelector('.feature .ctx .row')?.text).toMatch(/^row \d+$/);
    expect(doc.querySelector('.feature .ctx')?.text).not.toContain('[row ');
  });
});

describe('checkpoints read with SAELens semantics (issue 13)', () => {
  const dir = tempDir('formats13');
  afterAll(() => dir.remove());

  it('#4 convert keeps the training context an older cfg kept at its top level', () => {
    const to = `${dir.path}/legacy`;
    const r = saekit([
      'convert',
      '--from',
      `${fixtures}saelens_legacy_topk`,
      '--to',
      to,
      '--format',
      'saelens',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: .*read as Top-K/);
    const cfg = JSON.parse(readFileSync(`${to}/cfg.json`, 'utf8'));
    expect(cfg).toMatchObject({ architecture: 'topk', k: 4 });
    expect(cfg.metadata).toMatchObject({
      model_name: 'gpt2-small',
      hook_name: 'blocks.8.hook_resid_pre',
      hook_layer: 8,
      context_size: 128,
    });
  });

  it('#6 eval --hookpoint picks one SAE of a sparsify run folder; without it, a one-line error', async () => {
    const root = `${fixtures}sparsify_run`;
    const data = `${fixtures}sparsify_run/layers.0/x.npy`;
    const bare = saekit(['eval', '--sae', root, '--data', data, '--json', '--backend', 'cpu']);
    expect(bare.code).toBe(3);
    expect(bare.stderr.trim().split('\n')).toHaveLength(1);
    expect(bare.stderr).toMatch(/layers\.0, layers\.1.*--hookpoint/);
    const r = saekit([
      'eval',
      '--sae',
      root,
      '--hookpoint',
      'layers.0',
      '--data',
      data,
      '--json',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).fvu).toBeCloseTo(await referenceFvu('sparsify_run/layers.0'), 5);
  });
});

describe('convert --dtype', () => {
  const dir = tempDir('dtype');
  afterAll(() => dir.remove());

  it('writes bfloat16 / float16 safetensors that read back to the rounded weights; gemma-scope refuses', async () => {
    const from = `${fixtures}saelens_topk`;
    const original = await readSafetensors(`${from}/sae_weights.safetensors`);
    for (const [dtype, st] of [
      ['bfloat16', 'BF16'],
      ['float16', 'F16'],
    ] as const) {
      const to = `${dir.path}/${dtype}`;
      const r = saekit([
        'convert',
        '--from',
        from,
        '--to',
        to,
        '--format',
        'saelens',
        '--dtype',
        dtype,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const f = await readSafetensors(`${to}/sae_weights.safetensors`);
      expect(f.tensors.W_dec.dtype).toBe(st);
      expect(JSON.parse(readFileSync(`${to}/cfg.json`, 'utf8')).dtype).toBe(dtype);
      const a = original.tensors.W_dec.data as Float32Array;
      const b = f.tensors.W_dec.data as Float32Array;
      const tol = dtype === 'bfloat16' ? 2 ** -8 : 2 ** -11;
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(b[i] - a[i])).toBeLessThanOrEqual(Math.abs(a[i]) * tol + 1e-7);
      expect(b.some((v, i) => v !== a[i])).toBe(true);
    }
    const g = saekit([
      'convert',
      '--from',
      `${fixtures}gemma_scope/params.npz`,
      '--to',
      `${dir.path}/g`,
      '--format',
      'gemma-scope',
      '--dtype',
      'float16',
    ]);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/--dtype: gemma-scope params\.npz is written as float32 only/);
  });
});

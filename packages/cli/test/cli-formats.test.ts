import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readNpy } from '@saekit/io';
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
    expect(doc.querySelector('.feature .ctx')?.text).toContain('[row ');
  });
});

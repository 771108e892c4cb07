import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend, evaluateSae, pairedBatch, Sae } from '@saekit/core';
import { ActivationDataset, loadSae } from '@saekit/io';
import { afterAll, describe, expect, it } from 'vitest';
import { saekit, tempDir } from './saekit.js';

/**
 * A transcoder through the built binary: paired synthetic shards, train with
 * --target-tensor, eval against the target (the library's figure), convert to sparsify and
 * back, and the typed errors of a wrong target.
 */
const dir = tempDir('transcoder');
const shards = join(dir.path, 'shards');
const heldOut = join(dir.path, 'held-out');
const run = join(dir.path, 'run');
afterAll(() => dir.remove());

const evalJson = (args: string[]) => {
  const r = saekit(['eval', ...args, '--backend', 'cpu', '--json']);
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, number | string | boolean>;
};

describe('saekit train --target-tensor (a transcoder)', () => {
  it('trains on paired shards, and eval reports the FVU against the target, as the library does', async () => {
    const synth = saekit([
      'synth',
      '--out',
      shards,
      '--d-in',
      '16',
      '--tokens',
      '8192',
      '--rows-per-shard',
      '3000',
      '--target-tensor',
      'mlp_out',
      '--held-out',
      heldOut,
      '--held-out-tokens',
      '2048',
    ]);
    expect(synth.code, synth.stderr).toBe(0);
    expect(synth.stderr).toMatch(/with targets 'mlp_out'/);
    const help = saekit(['train', '--help']).stdout;
    expect(help).toMatch(/--target-tensor <name>\s+train a transcoder/);
    const train = saekit([
      'train',
      '--data',
      shards,
      '--target-tensor',
      'mlp_out',
      '--out',
      run,
      '--d-sae',
      '128',
      '--k',
      '4',
      '--batch-size',
      '256',
      '--steps',
      '400',
      '--lr',
      '0.01',
      '--backend',
      'cpu',
      '--no-progress',
    ]);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stderr).toMatch(/training: topk transcoder → mlp_out d_in=16/);
    const cfg = JSON.parse(readFileSync(join(run, 'cfg.json'), 'utf8'));
    expect(cfg).toMatchObject({
      architecture: 'topk',
      d_out: 16,
      apply_b_dec_to_input: false,
      saekit: { transcoder: true, train_config: { targetTensor: 'mlp_out' } },
    });

    // The target comes from the checkpoint; the library on the same rows gives the same FVU.
    const e = evalJson(['--sae', run, '--data', heldOut]);
    expect(e).toMatchObject({ transcoder: true, target_tensor: 'mlp_out', tokens: 2048 });
    const loaded = await loadSae(run);
    const backend = createCpuBackend();
    const sae = Sae.fromWeights(backend, loaded.weights);
    const ds = await ActivationDataset.open(heldOut, {
      batchSize: 2048,
      shuffle: false,
      targetTensorName: 'mlp_out',
    });
    const lib = await evaluateSae(backend, sae, ds);
    expect(e['fvu'] as number).toBeCloseTo(lib.fvu, 5);
    expect(e['fvu'] as number).toBeLessThan(0.6);
    console.log(
      `cli transcoder: held-out FVU vs mlp_out ${(e['fvu'] as number).toFixed(4)}, L0 ${e['l0']}`,
    );
    // Scored as an SAE of its input (x against x), the same weights do much worse: eval
    // really measured against the target.
    const rows = await ActivationDataset.open(heldOut, { batchSize: 2048, shuffle: false });
    const asSae = Sae.fromWeights(backend, { ...loaded.weights, transcoder: false });
    let input: Float32Array | undefined;
    for await (const b of rows) input = b;
    const self = await evaluateSae(backend, asSae, [pairedBatch(input!, input!, 2048)]);
    expect(self.fvu).toBeGreaterThan((e['fvu'] as number) + 0.3);
    sae.dispose();
    asSae.dispose();

    // sparsify's transcode format and back: the same FVU.
    const sp = join(dir.path, 'sp');
    expect(saekit(['convert', '--from', run, '--to', sp, '--format', 'sparsify']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(sp, 'cfg.json'), 'utf8')).transcode).toBe(true);
    const fromSp = evalJson(['--sae', sp, '--data', heldOut, '--target-tensor', 'mlp_out']);
    expect(fromSp['fvu']).toBe(e['fvu']);
    // sparsify's cfg does not name the target: eval asks for it.
    const noTarget = saekit(['eval', '--sae', sp, '--data', heldOut, '--backend', 'cpu']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/--target-tensor.*does not say which tensor it predicts/);
  }, 180_000);

  it('a target tensor the shards lack, or a transcoder of a dense architecture, is refused naming it', () => {
    const missing = saekit([
      'train',
      '--data',
      shards,
      '--target-tensor',
      'resid_post',
      '--out',
      join(dir.path, 'bad'),
      '--steps',
      '5',
      '--backend',
      'cpu',
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no tensor named 'resid_post'/);
    const dense = saekit([
      'train',
      '--data',
      shards,
      '--target-tensor',
      'mlp_out',
      '--architecture',
      'jumprelu',
      '--out',
      join(dir.path, 'bad2'),
      '--steps',
      '5',
      '--backend',
      'cpu',
    ]);
    expect(dense.code).toBe(2);
    expect(dense.stderr).toMatch(
      /--target-tensor.*applies to topk and batchtopk and matryoshka, not jumprelu/,
    );
    const wrong = saekit([
      'eval',
      '--sae',
      join(dir.path, 'sp'),
      '--data',
      heldOut,
      '--backend',
      'cpu',
      '--target-tensor',
      'x',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/no tensor named 'x'/);
  });
});

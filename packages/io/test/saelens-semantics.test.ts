import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCpuBackend, Sae, type SaeWeights } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  ActivationDataset,
  FormatError,
  loadSae,
  readNpy,
  readSafetensors,
  saveSae,
  writeSafetensors,
} from '../src/index.js';
import { expected, fixture, withTempDir } from './helpers.js';

/** Runs a loaded checkpoint through core's Sae and compares with numpy's expected outputs. */
async function expectNumpyForward(dir: string, weights: SaeWeights, digits = 4): Promise<void> {
  const x = (await readNpy(join(dir, 'x.npy'))).data as Float32Array;
  const wantActs = (await readNpy(join(dir, 'expected_acts.npy'))).data as Float32Array;
  const wantOut = (await readNpy(join(dir, 'expected_out.npy'))).data as Float32Array;
  const rows = x.length / weights.dIn;
  const sae = Sae.fromWeights(createCpuBackend(), weights);
  try {
    const code = await sae.encodeHost(x, rows);
    const dense = new Float32Array(rows * weights.dSae);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < code.width; j++) {
        const idx = code.indices[r * code.width + j];
        if (idx >= 0) dense[r * weights.dSae + idx] = code.values[r * code.width + j];
      }
    }
    for (let i = 0; i < wantActs.length; i++) expect(dense[i]).toBeCloseTo(wantActs[i], digits);
    const out = await sae.reconstructHost(x, rows);
    for (let i = 0; i < wantOut.length; i++) expect(out[i]).toBeCloseTo(wantOut[i], digits);
  } finally {
    sae.dispose();
  }
}

function l0(acts: Float32Array, rows: number): number {
  return acts.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0) / rows;
}

async function copyFixture(name: string, dir: string): Promise<string> {
  const to = join(dir, name);
  await cp(fixture('checkpoints', name), to, { recursive: true });
  return to;
}

async function editCfg(dir: string, edit: (cfg: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, 'cfg.json');
  const cfg = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(cfg);
  await writeFile(path, JSON.stringify(cfg));
}

describe('issue 13 #1: SAELens < 6 Top-K configs', () => {
  it('a standard SAE with activation_fn_str topk and activation_fn_kwargs.k reads as Top-K (L0 = k)', async () => {
    const dir = fixture('checkpoints', 'saelens_legacy_topk');
    const loaded = await loadSae(dir);
    expect(loaded.weights.architecture).toBe('topk');
    expect(loaded.weights.k).toBe(4);
    expect(loaded.notes.join('\n')).toMatch(/activation_fn topk, read as Top-K/);
    const acts = (await readNpy(join(dir, 'expected_acts.npy'))).data as Float32Array;
    expect(l0(acts, 6)).toBeLessThanOrEqual(4);
    await expectNumpyForward(dir, loaded.weights);
  });

  it('an unknown pre-6 activation function is refused, naming it', async () => {
    await withTempDir(async (tmp) => {
      const dir = await copyFixture('saelens_legacy_topk', tmp);
      await editCfg(dir, (cfg) => {
        cfg['activation_fn_str'] = 'tanh-relu';
      });
      await expect(loadSae(dir)).rejects.toThrow(/activation_fn 'tanh-relu' is not supported/);
    });
  });
});

describe('issue 13 #2: rescale_acts_by_decoder_norm', () => {
  it('folded at the final save (unit-norm decoder rows): read unchanged, bit for bit', async () => {
    const dir = fixture('checkpoints', 'saelens_topk_rescale_folded');
    const loaded = await loadSae(dir);
    expect(loaded.notes).toEqual([]);
    const { tensors } = await readSafetensors(join(dir, 'sae_weights.safetensors'));
    expect(Array.from(loaded.weights.wDec)).toEqual(
      Array.from(tensors['W_dec'].data as Float32Array),
    );
    expect(Array.from(loaded.weights.bEnc)).toEqual(
      Array.from(tensors['b_enc'].data as Float32Array),
    );
    await expectNumpyForward(dir, loaded.weights);
  });

  it("not folded: SAELens's semantics (pre × decoder norm, decode through unit rows)", async () => {
    const dir = fixture('checkpoints', 'saelens_topk_rescale_unfolded');
    const loaded = await loadSae(dir);
    expect(loaded.notes.join('\n')).toMatch(/folded the norms/);
    await expectNumpyForward(dir, loaded.weights, 3);
  });

  it('refuses a zero decoder row, naming it, and the flag on a non-Top-K SAE', async () => {
    await withTempDir(async (tmp) => {
      const dir = await copyFixture('saelens_topk_rescale_unfolded', tmp);
      const file = join(dir, 'sae_weights.safetensors');
      const { tensors } = await readSafetensors(file);
      const wDec = Float32Array.from(tensors['W_dec'].data as Float32Array);
      wDec.fill(0, 5 * 8, 6 * 8);
      await writeSafetensors(file, {
        W_dec: { shape: [32, 8], data: wDec },
        W_enc: { shape: [8, 32], data: tensors['W_enc'].data as Float32Array },
        b_dec: { shape: [8], data: tensors['b_dec'].data as Float32Array },
        b_enc: { shape: [32], data: tensors['b_enc'].data as Float32Array },
      });
      await expect(loadSae(dir)).rejects.toThrow(/W_dec row 5 has norm 0/);
      const jr = await copyFixture('saelens_jumprelu', tmp);
      await editCfg(jr, (cfg) => {
        cfg['rescale_acts_by_decoder_norm'] = true;
      });
      await expect(loadSae(jr)).rejects.toThrow(/rescale_acts_by_decoder_norm is a Top-K setting/);
    });
  });
});

describe('issue 13 #3: JumpReLU keeps pre > threshold, as SAELens', () => {
  it('pre-activations equal to their threshold are dropped, matching numpy', async () => {
    const dir = fixture('checkpoints', 'saelens_jumprelu_ties');
    const loaded = await loadSae(dir);
    const acts = (await readNpy(join(dir, 'expected_acts.npy'))).data as Float32Array;
    // Row 0 ties every latent it would activate: nothing fires under SAELens's rule.
    expect(acts.subarray(0, 32).every((v) => v === 0)).toBe(true);
    await expectNumpyForward(dir, loaded.weights, 6);
  });

  it('a BatchTopK SAE exported as JumpReLU means the same in saekit and as a plain JumpReLU file', async () => {
    const ties = await loadSae(fixture('checkpoints', 'saelens_jumprelu_ties'));
    const batchtopk: SaeWeights = {
      ...ties.weights,
      architecture: 'batchtopk',
      k: 4,
      applyBDecToInput: true,
    };
    const x = (await readNpy(fixture('checkpoints', 'saelens_jumprelu_ties', 'x.npy')))
      .data as Float32Array;
    await withTempDir(async (tmp) => {
      const saved = join(tmp, 'sae');
      await saveSae(saved, batchtopk);
      const cfg = JSON.parse(await readFile(join(saved, 'cfg.json'), 'utf8'));
      expect(cfg.architecture).toBe('jumprelu');
      // What SAELens sees: the same file without saekit's own key.
      const plain = join(tmp, 'plain');
      await cp(saved, plain, { recursive: true });
      await editCfg(plain, (c) => {
        delete c['saekit'];
      });
      const asJumpRelu = (await loadSae(plain)).weights;
      expect(asJumpRelu.architecture).toBe('jumprelu');
      const encode = async (w: SaeWeights) => {
        const sae = Sae.fromWeights(createCpuBackend(), w);
        try {
          const code = await sae.encodeHost(x, 6);
          const dense = new Float32Array(6 * w.dSae);
          for (let r = 0; r < 6; r++) {
            for (let j = 0; j < code.width; j++) {
              const idx = code.indices[r * code.width + j];
              if (idx >= 0) dense[r * w.dSae + idx] = code.values[r * code.width + j];
            }
          }
          return dense;
        } finally {
          sae.dispose();
        }
      };
      const a = await encode((await loadSae(saved)).weights);
      const b = await encode(asJumpRelu);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(a.some((v) => v > 0)).toBe(true);
      // Row 0: pre == θ everywhere it is positive, so nothing fires.
      expect(a.subarray(0, 32).every((v) => v === 0)).toBe(true);
    });
  });
});

describe('issue 13 #4: top-level training context becomes metadata', () => {
  it('hook_name, model_name... of an older cfg land in metadata (renamed where SAELens renames)', async () => {
    const legacy = await loadSae(fixture('checkpoints', 'saelens_legacy_topk'));
    expect(legacy.metadata).toMatchObject({
      model_name: 'gpt2-small',
      hook_name: 'blocks.8.hook_resid_pre',
      hook_layer: 8,
      context_size: 128,
      dataset_path: 'Skylion007/openwebtext',
      neuronpedia_id: 'gpt2-small/8-res-topk',
    });
    const older = await loadSae(fixture('checkpoints', 'saelens_legacy_scaling_factor'));
    expect(older.metadata).toMatchObject({
      hook_name: 'blocks.4.hook_resid_pre',
      hook_layer: 4,
    });
    const v6 = await loadSae(fixture('checkpoints', 'saelens_topk'));
    expect(v6.metadata).toMatchObject({ model_name: 'gpt2', hook_layer: 8 });
  });
});

describe('issue 13 #5: strict where SAELens is strict', () => {
  it('a tensor the architecture does not use (W_skip) is refused, naming it', async () => {
    await withTempDir(async (tmp) => {
      const dir = await copyFixture('saelens_topk', tmp);
      const file = join(dir, 'sae_weights.safetensors');
      const { tensors } = await readSafetensors(file);
      const copy = Object.fromEntries(
        Object.entries(tensors).map(([k, t]) => [
          k,
          { shape: [...t.shape], data: t.data as Float32Array },
        ]),
      );
      await writeSafetensors(file, {
        ...copy,
        W_skip: { shape: [8, 8], data: new Float32Array(64) },
      });
      await expect(loadSae(dir)).rejects.toThrow(/tensor 'W_skip' not used by a topk SAE/);
    });
  });

  it('scaling_factor with finetuning_scaling_factor is applied; without the flag it is refused', async () => {
    const dir = fixture('checkpoints', 'saelens_legacy_scaling_factor');
    const loaded = await loadSae(dir);
    expect(loaded.notes.join('\n')).toMatch(/scaling_factor/);
    await expectNumpyForward(dir, loaded.weights);
    await withTempDir(async (tmp) => {
      const copy = await copyFixture('saelens_legacy_scaling_factor', tmp);
      await editCfg(copy, (cfg) => {
        cfg['finetuning_scaling_factor'] = false;
      });
      await expect(loadSae(copy)).rejects.toThrow(
        /'scaling_factor' is not all ones but the cfg's finetuning_scaling_factor is not true/,
      );
    });
  });

  it('a v6 cfg without architecture is refused, naming the key', async () => {
    await withTempDir(async (tmp) => {
      const dir = await copyFixture('saelens_topk', tmp);
      await editCfg(dir, (cfg) => {
        delete cfg['architecture'];
      });
      const err = await loadSae(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(String(err)).toMatch(/cfg\.json: SAELens ≥ 6 cfg has no 'architecture'/);
    });
  });
});

describe('issue 13 #6: sparsify run folders with several hookpoints', () => {
  it('lists the hookpoints when none is chosen, and loads the one chosen', async () => {
    const root = fixture('checkpoints', 'sparsify_run');
    await expect(loadSae(root)).rejects.toThrow(
      /one checkpoint per hookpoint \(layers\.0, layers\.1\); pick one with hookpoint/,
    );
    const loaded = await loadSae(root, { hookpoint: 'layers.1' });
    expect(loaded.format).toBe('sparsify');
    await expectNumpyForward(join(root, 'layers.1'), loaded.weights);
    await expect(loadSae(root, { hookpoint: 'layers.7' })).rejects.toThrow(
      /no hookpoint 'layers\.7' here \(hookpoints: layers\.0, layers\.1\)/,
    );
  });
});

describe('issue 13 #7: Fortran-order .npy shards (np.save(f, x.T))', () => {
  for (const workers of [0, 2]) {
    it(`stream in row order like their C-order twins (workers: ${workers})`, async () => {
      const want = [
        ...expected('shards_fortran/part-0').values,
        ...expected('shards_fortran/part-1').values,
      ];
      const ds = await ActivationDataset.open(fixture('shards_fortran'), {
        batchSize: 6,
        shuffle: false,
        shuffleBuffer: 5,
        workers,
      });
      const got: number[] = [];
      for await (const batch of ds) got.push(...batch);
      // 48 rows → 8 batches of 6; the shuffle window (5 rows) cuts reads mid-shard.
      expect(got.length).toBe(48 * 8);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 6);
    });
  }
});

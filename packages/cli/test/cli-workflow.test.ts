import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeLlama2cTokenizer,
  type HuggingFaceTokenizer,
  loadTokenizer,
  readSafetensors,
  readSafetensorsTensor,
  tokenTexts,
  writeSafetensors,
} from '@saekit/io';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteLevelBpeTokenizer } from '../../io/test/tokenizer-fixtures.js';
import { saekit, saekitInterrupted, tempDir } from './saekit.js';

/**
 * The whole user journey on tiny shapes, through the built binary: synthesize shards,
 * train, interrupt with Ctrl-C, resume, evaluate, convert both ways, inspect.
 */
const dir = tempDir('workflow');
const shards = join(dir.path, 'shards');
const heldOut = join(dir.path, 'held-out');
const run = join(dir.path, 'run');
const TRAIN = [
  '--d-sae',
  '64',
  '--k',
  '4',
  '--batch-size',
  '256',
  '--seed',
  '3',
  '--backend',
  'cpu',
];

function jsonLines(path: string): Record<string, number>[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
}

async function tensors(path: string): Promise<Record<string, Float32Array>> {
  const f = await readSafetensors(path);
  return Object.fromEntries(Object.entries(f.tensors).map(([k, t]) => [k, t.data as Float32Array]));
}

beforeAll(() => {
  // Held-out rows come from the same generator (same true features), drawn further.
  const synth = ['synth', '--out', shards, '--held-out', heldOut, '--held-out-tokens', '2048'];
  const shape = ['--d-in', '16', '--tokens', '2048', '--rows-per-shard', '512', '--features', '32'];
  const r = saekit([...synth, ...shape, '--seq-len', '16', '--seed', '1']);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => dir.remove());

describe('saekit train', () => {
  it('writes an SAELens folder, metrics.jsonl and a training state', () => {
    const r = saekit([
      'train',
      '--data',
      shards,
      '--out',
      run,
      '--steps',
      '40',
      '--checkpoint-every',
      '15',
      '--log-every',
      '5',
      ...TRAIN,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^backend: cpu/m);
    for (const f of [
      'cfg.json',
      'sae_weights.safetensors',
      'sparsity.safetensors',
      'metrics.jsonl',
      'training_state.safetensors',
    ]) {
      expect(existsSync(join(run, f)), f).toBe(true);
    }
    const cfg = JSON.parse(readFileSync(join(run, 'cfg.json'), 'utf8'));
    expect(cfg).toMatchObject({ architecture: 'topk', d_in: 16, d_sae: 64, k: 4 });
    const metrics = jsonLines(join(run, 'metrics.jsonl'));
    expect(metrics.map((m) => m.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    for (const m of metrics) {
      for (const key of ['step', 'tokens', 'fvu', 'l0', 'dead_frac', 'tokens_per_s']) {
        expect(Number.isFinite(m[key]), key).toBe(true);
      }
      expect(m.tokens).toBe(m.step * 256);
      expect(m.l0).toBeLessThanOrEqual(4);
    }
    expect(metrics[metrics.length - 1].fvu).toBeLessThan(metrics[0].fvu);
  });

  it.each([
    ['shards', () => ['--data', shards]],
    ['synthetic data', () => ['--synthetic', '--d-in', '16']],
  ])(
    'Ctrl-C saves a checkpoint; --resume finishes with exactly the uninterrupted weights (%s)',
    async (name, data) => {
      const straight = join(dir.path, `straight-${name}`);
      const cut = join(dir.path, `cut-${name}`);
      const args = [
        ...data(),
        '--steps',
        '600',
        '--checkpoint-every',
        '1000',
        '--log-every',
        '1',
        ...TRAIN,
      ];
      expect(saekit(['train', '--out', straight, ...args]).code).toBe(0);

      const stopped = await saekitInterrupted(['train', '--out', cut, ...args], /step 20\//);
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(stopped.stderr).toMatch(/interrupted at step (\d+); checkpoint saved/);
      expect(stopped.stderr).not.toMatch(/\n\s+at /);
      const at = Number(/interrupted at step (\d+)/.exec(stopped.stderr)?.[1]);
      expect(at).toBeGreaterThanOrEqual(20);
      expect(at).toBeLessThan(600);
      expect(jsonLines(join(cut, 'metrics.jsonl')).at(-1)?.step).toBe(at);

      const resumed = saekit([
        'train',
        '--out',
        cut,
        '--resume',
        '--backend',
        'cpu',
        '--log-every',
        '100',
      ]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`resuming at step ${at}`);
      const steps = jsonLines(join(cut, 'metrics.jsonl')).map((m) => m.step);
      expect(steps[steps.length - 1]).toBe(600);
      expect(new Set(steps).size).toBe(steps.length);

      const a = await tensors(join(straight, 'sae_weights.safetensors'));
      const b = await tensors(join(cut, 'sae_weights.safetensors'));
      for (const name of ['W_enc', 'W_dec', 'b_enc', 'b_dec']) {
        expect(Buffer.from(b[name].buffer).equals(Buffer.from(a[name].buffer)), name).toBe(true);
      }
    },
  );

  it('a second Ctrl-C exits at once and leaves a loadable checkpoint', async () => {
    const out = join(dir.path, 'twice');
    const args = [
      '--data',
      shards,
      '--steps',
      '5000',
      '--checkpoint-every',
      '10',
      '--log-every',
      '1',
      ...TRAIN,
    ];
    const r = await saekitInterrupted(['train', '--out', out, ...args], /step 25\//, {
      twice: true,
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const resumed = saekit([
      'train',
      '--out',
      out,
      '--resume',
      '--steps',
      '40',
      '--backend',
      'cpu',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const from = Number(/resuming at step (\d+)/.exec(resumed.stderr)?.[1]);
    expect(from).toBeGreaterThanOrEqual(20);
    // The second Ctrl-C races the interruption's own checkpoint: either it won and the last
    // periodic checkpoint (a multiple of 10) is intact, or that checkpoint was already saved.
    if (/second Ctrl-C: exiting now/.test(r.stderr)) expect(from % 10).toBe(0);
    else expect(r.stderr).toContain(`interrupted at step ${from}`);
  });
});

describe('saekit eval / convert / inspect', () => {
  let evalJson: Record<string, number>;

  it('eval --json reports the contract keys on held-out shards', () => {
    const r = saekit([
      'eval',
      '--sae',
      run,
      '--data',
      heldOut,
      '--json',
      '--backend',
      'cpu',
      '--batch-size',
      '500',
    ]);
    expect(r.code, r.stderr).toBe(0);
    evalJson = JSON.parse(r.stdout);
    expect(evalJson.tokens).toBe(2048);
    for (const key of ['fvu', 'mse', 'l0', 'dead_frac'])
      expect(Number.isFinite(evalJson[key]), key).toBe(true);
    expect(evalJson.fvu).toBeGreaterThan(0);
    expect(evalJson.fvu).toBeLessThan(1);
    expect(evalJson.l0).toBeGreaterThan(0);
    expect(evalJson.l0).toBeLessThanOrEqual(4);
  });

  it('eval prints a table by default', () => {
    const r = saekit(['eval', '--sae', run, '--data', heldOut, '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^FVU\s+0\.\d+/m);
    expect(r.stdout).toMatch(/^tokens\s+2048/m);
  });

  it('convert to sparsify and back keeps every weight bit for bit', async () => {
    const sp = join(dir.path, 'sparsify');
    const back = join(dir.path, 'back');
    expect(saekit(['convert', '--from', run, '--to', sp, '--format', 'sparsify']).code).toBe(0);
    const spCfg = JSON.parse(readFileSync(join(sp, 'cfg.json'), 'utf8'));
    expect(spCfg).toMatchObject({ k: 4, num_latents: 64 });
    const spT = await tensors(join(sp, 'sae.safetensors'));
    expect(Object.keys(spT).sort()).toEqual(['W_dec', 'b_dec', 'encoder.bias', 'encoder.weight']);

    // The sparsify copy evaluates the same as the original.
    const r = saekit([
      'eval',
      '--sae',
      sp,
      '--data',
      heldOut,
      '--json',
      '--backend',
      'cpu',
      '--batch-size',
      '500',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).fvu).toBe(evalJson.fvu);

    expect(saekit(['convert', '--from', sp, '--to', back, '--format', 'saelens']).code).toBe(0);
    const a = await tensors(join(run, 'sae_weights.safetensors'));
    const b = await tensors(join(back, 'sae_weights.safetensors'));
    for (const name of ['W_enc', 'W_dec', 'b_enc', 'b_dec']) {
      expect(b[name].length, name).toBe(a[name].length);
      expect(
        Buffer.from(b[name].buffer, b[name].byteOffset, b[name].byteLength).equals(
          Buffer.from(a[name].buffer, a[name].byteOffset, a[name].byteLength),
        ),
        name,
      ).toBe(true);
    }
    // Refuses to overwrite without --force.
    const again = saekit(['convert', '--from', sp, '--to', back, '--format', 'saelens']);
    expect(again.code).toBe(2);
  });

  it('inspect writes one self-contained HTML report with the plots and highlighted contexts', async () => {
    const pieces = Array.from({ length: 32 }, (_, i) => ` w${i}`);
    const tok = join(dir.path, 'tok32.bin');
    writeFileSync(tok, encodeLlama2cTokenizer(pieces));
    const out = join(dir.path, 'report.html');
    const r = saekit([
      'inspect',
      '--sae',
      run,
      '--data',
      heldOut,
      '--tokenizer',
      tok,
      '--out',
      out,
      '--features',
      '5',
      '--contexts',
      '3',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    const doc = parse(html);
    expect(doc.querySelector('html')).not.toBeNull();
    expect(doc.querySelectorAll('script[src], link[href], img[src]')).toHaveLength(0);
    expect(html).not.toMatch(/(src|href)="https?:/);
    const titles = doc.querySelectorAll('svg.chart title').map((t) => t.text);
    for (const t of [
      'Fraction of variance unexplained',
      'L0 (active latents per token)',
      'Dead latents',
      'Firing frequency (log10, live latents)',
      'Decoder row norms',
      'Max cosine similarity to another latent',
    ]) {
      expect(titles).toContain(t);
    }
    // The training curve has one point per metrics record.
    const metrics = jsonLines(join(run, 'metrics.jsonl'));
    const d = doc.querySelector('#training svg path.series')?.getAttribute('d') ?? '';
    expect(d.split('L')).toHaveLength(metrics.length);
    const features = doc.querySelectorAll('.feature');
    expect(features).toHaveLength(5);
    for (const f of features) {
      const contexts = f.querySelectorAll('.ctx');
      expect(contexts.length).toBeGreaterThan(0);
      for (const ctx of contexts) {
        // The outlined token is the token of the row the context names, decoded.
        const [, shard, row] = /^(.*) row (\d+)$/.exec(ctx.getAttribute('title') ?? '') ?? [];
        const ids = (await readSafetensorsTensor(shard, 'token_ids')).data as Int32Array;
        expect(ctx.querySelector('mark.focus')?.text).toBe(` w${ids[Number(row)]}`);
      }
    }
  });
});

/** The first held-out shard's activations in `name`/part-0.safetensors with other token ids (or none). */
async function relabelledHeldOut(
  name: string,
  ids: (rows: number) => Int32Array | undefined,
): Promise<string> {
  const src = readdirSync(heldOut).find((f) => f.endsWith('.safetensors')) ?? '';
  const { activations } = (await readSafetensors(join(heldOut, src))).tensors;
  const rows = activations.shape[0];
  const tokenIds = ids(rows);
  const data = join(dir.path, name);
  mkdirSync(data, { recursive: true });
  await writeSafetensors(join(data, 'part-0.safetensors'), {
    activations: { shape: activations.shape, data: activations.data as Float32Array },
    ...(tokenIds && { token_ids: { shape: [rows], data: tokenIds } }),
  });
  return data;
}

describe('saekit inspect on a Hugging Face tokenizer.json', () => {
  it('decodes contexts with the tokenizer, newlines as ↵, and shows the chosen latents', async () => {
    // Held-out activations relabelled with the token ids of real text.
    const json = byteLevelBpeTokenizer();
    const tokDir = join(dir.path, 'hf-tok');
    mkdirSync(tokDir, { recursive: true });
    writeFileSync(join(tokDir, 'tokenizer.json'), JSON.stringify(json));
    const tokenizer = (await loadTokenizer(tokDir)) as HuggingFaceTokenizer;
    const story = tokenizer.encode('the cat sat.\nthe cat ate.\n');
    const data = await relabelledHeldOut('hf-shards', (rows) =>
      Int32Array.from({ length: rows }, (_, i) => story[i % story.length]),
    );
    const ids = (await readSafetensorsTensor(join(data, 'part-0.safetensors'), 'token_ids'))
      .data as Int32Array;
    const out = join(dir.path, 'hf-report.html');
    const r = saekit([
      'inspect',
      '--sae',
      run,
      '--data',
      data,
      '--tokenizer',
      join(tokDir, 'tokenizer.json'),
      '--out',
      out,
      '--latents',
      '3,7',
      '--contexts',
      '3',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = parse(readFileSync(out, 'utf8'));
    expect(doc.querySelectorAll('.feature').map((f) => f.getAttribute('data-latent'))).toEqual([
      '3',
      '7',
    ]);
    expect(doc.querySelector('#features h2')?.text).toMatch(/^Chosen latents/);
    for (const ctx of doc.querySelectorAll('.ctx')) {
      const [, , row] = /^(.*) row (\d+)$/.exec(ctx.getAttribute('title') ?? '') ?? [];
      const expected = tokenTexts(tokenizer, [ids[Number(row)]])[0].replace(/\n/g, '↵');
      expect(ctx.querySelector('mark.focus')?.text).toBe(expected);
      expect(ctx.text).not.toMatch(/⟨\d+⟩|\[row/);
    }
    expect(doc.querySelector('#features')?.text).toContain('cat');
    expect(doc.querySelector('#features')?.text).toContain('↵');
  });

  it('refuses --tokenizer without --data, naming both flags', () => {
    const r = saekit(['inspect', '--sae', run, '--tokenizer', join(dir.path, 'hf-tok')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tokenizer: needs --data/);
  });

  it('says once that shards without token_ids show row numbers, and shows no [row N] walls', async () => {
    const data = await relabelledHeldOut('no-ids', () => undefined);
    {
      const out = join(dir.path, 'no-ids.html');
      const r = saekit([
        'inspect',
        '--sae',
        run,
        '--data',
        data,
        '--out',
        out,
        '--features',
        '3',
        '--backend',
        'cpu',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const html = readFileSync(out, 'utf8');
      expect(html).not.toContain('[row');
      expect(html.match(/carry no token_ids/g)).toHaveLength(1);
      expect(parse(html).querySelectorAll('.ctx .row').length).toBeGreaterThan(0);
    }
  });
});

describe('saekit train --architecture batchtopk / saekit bench', () => {
  it('trains a BatchTopK SAE, saved as the JumpReLU SAELens runs it with, and evaluates it', () => {
    const out = join(dir.path, 'btk');
    const r = saekit([
      'train',
      '--data',
      shards,
      '--out',
      out,
      '--architecture',
      'batchtopk',
      '--steps',
      '20',
      ...TRAIN,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = JSON.parse(readFileSync(join(out, 'cfg.json'), 'utf8'));
    // SAELens runs a trained BatchTopK SAE as JumpReLU with its learned threshold; saekit's
    // own cfg keys remember what was trained.
    expect(cfg).toMatchObject({
      architecture: 'jumprelu',
      d_sae: 64,
      saekit: { architecture: 'batchtopk' },
    });
    const e = saekit(['eval', '--sae', out, '--data', heldOut, '--json', '--backend', 'cpu']);
    expect(e.code, e.stderr).toBe(0);
    const m = JSON.parse(e.stdout);
    expect(m.architecture).toBe('batchtopk');
    expect(m.l0).toBeGreaterThan(0);
    expect(m.fvu).toBeLessThan(1);
  });

  it('bench --json reports tokens/s, step / floor and peak memory per backend × shape', () => {
    const r = saekit([
      'bench',
      '--backends',
      'cpu',
      '--config',
      '16,64,4,64',
      '32,128,8,64',
      '--steps',
      '1',
      '--warmup',
      '0',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { results } = JSON.parse(r.stdout);
    expect(results.map((c: { d_sae: number }) => c.d_sae)).toEqual([64, 128]);
    for (const c of results) {
      expect(c.backend).toBe('cpu');
      for (const key of ['tokens_per_s', 'step_ms', 'floor_ms', 'ratio', 'peak_rss_mb']) {
        expect(c[key], key).toBeGreaterThan(0);
      }
      expect(c.tokens_per_s).toBeCloseTo((64 * 1000) / c.step_ms, 0);
    }
  });
});

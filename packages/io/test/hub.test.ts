import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from '@saekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError, loadSae, openSae, parseHubUri, pushSaeToHub } from '../src/index.js';
import { type FakeHub, startFakeHub } from './fake-hub.js';
import { fixture, withTempDir } from './helpers.js';

/**
 * hf:// loading and pushing, against a local server that answers like the Hub (the real Hub
 * is out of reach here): download, cache hit, offline mode, the auth header, missing files.
 */
let hub: FakeHub;
const folder = (name: string) => {
  const dir = fixture(`checkpoints/${name}`);
  return new Map(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
};

beforeAll(async () => {
  hub = await startFakeHub();
  const files = new Map<string, Uint8Array>();
  const put = (prefix: string, name: string, only?: string[]) => {
    for (const [f, bytes] of folder(name)) {
      if (!only || only.includes(f)) files.set(`${prefix}/${f}`, bytes);
    }
  };
  put('saelens/layer_6', 'saelens_topk', [
    'cfg.json',
    'sae_weights.safetensors',
    'sparsity.safetensors',
  ]);
  put('gemma/layer_12/width_16k', 'gemma_scope', ['params.npz']);
  put('sparsify/layers.0', 'sparsify_topk', ['cfg.json', 'sae.safetensors']);
  hub.repos.set('org/saes', files);
  hub.repos.set('org/private', new Map([...files].filter(([p]) => p.startsWith('saelens/'))));
  hub.private.set('org/private', 'hf_secret');
});
afterAll(() => hub.close());

const downloads = () => hub.requests.filter((r) => r.method === 'GET').length;

describe('hf:// addresses', () => {
  it('parse into repo, revision and path', () => {
    expect(parseHubUri('hf://org/saes/layer_6')).toEqual({
      repo: 'org/saes',
      revision: 'main',
      path: 'layer_6',
    });
    expect(parseHubUri('hf://org/saes@v1')).toEqual({ repo: 'org/saes', revision: 'v1', path: '' });
    expect(() => parseHubUri('hf://org')).toThrow(HubError);
  });

  it.each([
    ['SAELens', 'saelens/layer_6', 'saelens_topk', 'saelens'],
    ['Gemma Scope params.npz', 'gemma/layer_12/width_16k', 'gemma_scope', 'gemma-scope'],
    ['sparsify layer folder', 'sparsify/layers.0', 'sparsify_topk', 'sparsify'],
  ])(
    'download a %s SAE that loads exactly like the local files; a second load is a cache hit',
    async (_, path, name, format) => {
      await withTempDir(async (cacheDir) => {
        const options = { hub: { endpoint: hub.url, cacheDir } };
        const before = downloads();
        const remote = await loadSae(`hf://org/saes/${path}`, options);
        const local = await loadSae(fixture(`checkpoints/${name}`));
        expect(remote.format).toBe(format);
        expect(remote.weights.wEnc).toEqual(local.weights.wEnc);
        expect(remote.weights.wDec).toEqual(local.weights.wDec);
        expect(remote.weights.bDec).toEqual(local.weights.bDec);
        expect(downloads()).toBeGreaterThan(before);
        const afterFirst = downloads();
        await loadSae(`hf://org/saes/${path}`, options);
        expect(downloads(), 'no file downloaded again').toBe(afterFirst);
      });
    },
  );

  it('offline mode reads the cache only: no request at all, and a one-line error for what is not cached', async () => {
    await withTempDir(async (cacheDir) => {
      await loadSae('hf://org/saes/saelens/layer_6', { hub: { endpoint: hub.url, cacheDir } });
      const seen = hub.requests.length;
      const saved = process.env.HF_HUB_OFFLINE;
      process.env.HF_HUB_OFFLINE = '1';
      try {
        const cached = await loadSae('hf://org/saes/saelens/layer_6', {
          hub: { endpoint: hub.url, cacheDir },
        });
        expect(cached.weights.dSae).toBeGreaterThan(0);
        const err = await loadSae('hf://org/saes/sparsify/layers.0', {
          hub: { endpoint: hub.url, cacheDir },
        }).catch((e) => e);
        expect(err).toBeInstanceOf(HubError);
        expect(err.message).toMatch(
          /^hf:\/\/org\/saes\/sparsify\/layers\.0: not in the local cache .*offline mode \(HF_HUB_OFFLINE\)/,
        );
        expect(err.message.split('\n')).toHaveLength(1);
      } finally {
        if (saved === undefined) delete process.env.HF_HUB_OFFLINE;
        else process.env.HF_HUB_OFFLINE = saved;
      }
      expect(hub.requests.length).toBe(seen);
    });
  });

  it('sends HF_TOKEN as a bearer token; without one a private repo is a one-line error saying so', async () => {
    await withTempDir(async (cacheDir) => {
      const uri = 'hf://org/private/saelens/layer_6';
      const saved = process.env.HF_TOKEN;
      delete process.env.HF_TOKEN;
      try {
        const err = await loadSae(uri, { hub: { endpoint: hub.url, cacheDir } }).catch((e) => e);
        expect(err).toBeInstanceOf(HubError);
        expect(err.message).toBe(
          `${uri}: the Hub refused access (401): set HF_TOKEN for a private or gated repo`,
        );
        process.env.HF_TOKEN = 'hf_secret';
        const from = hub.requests.length;
        const sae = await loadSae(uri, { hub: { endpoint: hub.url, cacheDir } });
        expect(sae.format).toBe('saelens');
        const sent = hub.requests.slice(from);
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
      } finally {
        if (saved === undefined) delete process.env.HF_TOKEN;
        else process.env.HF_TOKEN = saved;
      }
    });
  });

  it('a missing folder or repo is one line naming the address', async () => {
    await withTempDir(async (cacheDir) => {
      const hubOpts = { hub: { endpoint: hub.url, cacheDir } };
      const missing = await loadSae('hf://org/saes/no/such/layer', hubOpts).catch((e) => e);
      expect(missing).toBeInstanceOf(HubError);
      expect(missing.message).toMatch(
        /^hf:\/\/org\/saes\/no\/such\/layer: no SAE there: none of cfg\.json, .* in org\/saes@main\/no\/such\/layer$/,
      );
      const noRepo = await loadSae('hf://org/nothing/x', hubOpts).catch((e) => e);
      expect(noRepo.message).toMatch(/^hf:\/\/org\/nothing\/x: not found on the Hub/);
      expect(noRepo.message.split('\n')).toHaveLength(1);
    });
  });

  it('pushes an SAE folder with its model card in one commit, and it loads back', async () => {
    await withTempDir(async (cacheDir) => {
      hub.repos.set('org/pushed', new Map());
      const card = '---\nlibrary_name: saekit\n---\n# an SAE\n';
      const r = await pushSaeToHub(fixture('checkpoints/saelens_topk'), 'hf://org/pushed/layer_6', {
        endpoint: hub.url,
        token: 'hf_write',
        card,
      });
      expect([...r.files].sort()).toEqual(
        ['cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors', 'README.md']
          .map((f) => `layer_6/${f}`)
          .sort(),
      );
      const commit = hub.requests.find((q) => q.url.endsWith('/commit/main'));
      expect(commit?.authorization).toBe('Bearer hf_write');
      expect(
        Buffer.from(hub.repos.get('org/pushed')?.get('layer_6/README.md') ?? []).toString(),
      ).toBe(card);
      const back = await loadSae('hf://org/pushed/layer_6', {
        hub: { endpoint: hub.url, cacheDir },
      });
      expect(back.weights.wDec).toEqual(
        (await loadSae(fixture('checkpoints/saelens_topk'))).weights.wDec,
      );
      const saved = process.env.HF_TOKEN;
      delete process.env.HF_TOKEN;
      await expect(
        pushSaeToHub(fixture('checkpoints/saelens_topk'), 'hf://org/pushed/x', {
          endpoint: hub.url,
        }),
      ).rejects.toThrow(/set HF_TOKEN/);
      if (saved !== undefined) process.env.HF_TOKEN = saved;
    });
  });

  it('openSae gives a ready SAE on the chosen backend from an hf:// address in one call', async () => {
    await withTempDir(async (cacheDir) => {
      const backend = createCpuBackend();
      const sae = await openSae('hf://org/saes/saelens/layer_6', backend, {
        hub: { endpoint: hub.url, cacheDir },
      });
      const local = await loadSae(fixture('checkpoints/saelens_topk'));
      expect(sae.dIn).toBe(local.weights.dIn);
      const x = new Float32Array(2 * sae.dIn).fill(0.5);
      const code = await sae.encodeHost(x, 2);
      expect(code.values.length).toBeGreaterThan(0);
      sae.dispose();
    });
  });
});

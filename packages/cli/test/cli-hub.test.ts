import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHub, startFakeHub } from '../../io/test/fake-hub.js';
import { isOneLineError, saekit, saekitAsync, tempDir } from './saekit.js';

// Only tested against this local server that answers like the Hub: the real Hub is out of reach.
const fixtures = fileURLToPath(new URL('../../io/test/fixtures/checkpoints/', import.meta.url));
const dir = tempDir('hub');
let hub: FakeHub;
let env: Record<string, string>;

beforeAll(async () => {
  hub = await startFakeHub();
  const files = new Map<string, Uint8Array>();
  for (const f of ['cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors']) {
    files.set(`res/layer_6/${f}`, new Uint8Array(readFileSync(join(fixtures, 'saelens_topk', f))));
  }
  hub.repos.set('org/saes', files);
  hub.repos.set('org/mine', new Map());
  env = {
    HF_ENDPOINT: hub.url,
    HF_HUB_CACHE: join(dir.path, 'cache'),
    HF_TOKEN: 'hf_test',
    HF_HUB_OFFLINE: '',
  };
});
afterAll(async () => {
  await hub.close();
  dir.remove();
});

describe('--sae hf:// and saekit push', () => {
  it('eval reads an SAE from the Hub and agrees with the local copy; offline it uses the cache', async () => {
    const data = join(fixtures, 'saelens_topk', 'x.npy');
    const args = ['eval', '--data', data, '--json', '--backend', 'cpu'];
    const remote = await saekitAsync([...args, '--sae', 'hf://org/saes/res/layer_6'], env);
    expect(remote.code, remote.stderr).toBe(0);
    const local = saekit([...args, '--sae', join(fixtures, 'saelens_topk')]);
    expect(JSON.parse(remote.stdout).fvu).toBe(JSON.parse(local.stdout).fvu);
    const seen = hub.requests.length;
    const offline = await saekitAsync([...args, '--sae', 'hf://org/saes/res/layer_6'], {
      ...env,
      HF_HUB_OFFLINE: '1',
    });
    expect(offline.code, offline.stderr).toBe(0);
    expect(hub.requests.length).toBe(seen);
  });

  it('a missing SAE on the Hub is one line and exit 3', async () => {
    const r = await saekitAsync(['eval', '--sae', 'hf://org/saes/nope', '--data', 'x.npy'], env);
    expect(r.code).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/hf:\/\/org\/saes\/nope: no SAE there/);
  });

  it('push uploads the SAE with a model card stating its config and evaluation numbers', async () => {
    const data = join(fixtures, 'saelens_topk', 'x.npy');
    const r = await saekitAsync(
      [
        'push',
        '--sae',
        join(fixtures, 'saelens_topk'),
        '--to',
        'hf://org/mine/layer_6',
        '--data',
        data,
        '--backend',
        'cpu',
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const repo = hub.repos.get('org/mine') ?? new Map();
    expect([...repo.keys()].sort()).toEqual(
      ['README.md', 'cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors'].map(
        (f) => `layer_6/${f}`,
      ),
    );
    const card = Buffer.from(repo.get('layer_6/README.md')).toString();
    expect(card).toMatch(/^---\nlibrary_name: saekit\n/);
    expect(card).toMatch(/\| d_in \| \d+ \|/);
    expect(card).toMatch(/\| k \| \d+ \|/);
    expect(card).toMatch(/\| FVU \| 0\.\d{4} \|/);
    expect(card).toContain('## Evaluation on the examined data');
    expect(readdirSync(join(fixtures, 'saelens_topk'))).toContain('cfg.json');
  });
});

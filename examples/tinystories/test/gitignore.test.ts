import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('what `TS_OUT=out pnpm start` writes', () => {
  it('is ignored by git (activations and the SAE are large and regenerated)', () => {
    for (const file of [
      'examples/tinystories/out/activations/shard-00000.safetensors',
      'examples/tinystories/out/sae/cfg.json',
    ]) {
      const r = spawnSync('git', ['check-ignore', '--no-index', '-q', file], { cwd: root });
      expect(r.status, `${file} is not git-ignored`).toBe(0);
    }
  });
});

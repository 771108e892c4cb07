import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASM_PATH } from '../src/wasm.js';

const hasClang = spawnSync('clang', ['--version']).status === 0;

describe('native/kernels.wasm', () => {
  it('exports every kernel the backend calls and imports only its memory', () => {
    const module = new WebAssembly.Module(readFileSync(WASM_PATH));
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual([
      'adam',
      'axpby',
      'gather_dot',
      'gather_sum',
      'normalize_rows',
      'reduce_sum',
      'remove_parallel',
      'scatter_outer_add',
      'topk_rows',
      'topk_rows_listed',
    ]);
  });

  // CI installs no clang and uses the committed module; where clang is present, the committed
  // bytes must be what native/build.sh makes from native/kernels.c.
  it.skipIf(!hasClang)('is what native/build.sh builds from native/kernels.c', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saekit-wasm-'));
    try {
      const out = join(dir, 'kernels.wasm');
      const build = spawnSync('sh', [join(WASM_PATH, '..', 'build.sh'), out], { encoding: 'utf8' });
      expect(build.stderr).toBe('');
      expect(build.status).toBe(0);
      expect(Buffer.compare(readFileSync(out), readFileSync(WASM_PATH))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASM_KERNEL_NAMES, WASM_PATH } from '../src/wasm.js';

const hasClang = spawnSync('clang', ['--version']).status === 0;
const hasObjdump = spawnSync('llvm-objdump', ['--version']).status === 0;

describe('native/kernels.wasm', () => {
  it('exports every kernel the backend calls and imports only a shared memory', () => {
    const module = new WebAssembly.Module(readFileSync(WASM_PATH));
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual([...WASM_KERNEL_NAMES].sort());
    // The pool's threads instantiate it over one heap, which only a shared import allows.
    const plain = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    expect(() => new WebAssembly.Instance(module, { env: { memory: plain } })).toThrow(
      WebAssembly.LinkError,
    );
  });

  // Every thread's instance starts its C stack pointer at the same address of the one shared
  // memory, so a kernel that used the stack would corrupt another thread's frames.
  it.skipIf(!hasObjdump)('never reads or writes the C stack pointer (a wasm global)', () => {
    const dump = spawnSync('llvm-objdump', ['-d', WASM_PATH], { encoding: 'utf8' });
    expect(dump.status).toBe(0);
    expect(dump.stdout).toContain('local.get');
    expect(dump.stdout).not.toMatch(/global\.(get|set)/);
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

// Tests import sibling packages from their TypeScript sources, so `pnpm test` needs no build
// step and a change in core is seen at once by every backend's conformance run.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const src = (pkg: string, file = 'index.ts') => `${root}packages/${pkg}/src/${file}`;

export const saekitAliases = [
  { find: /^@saekit\/core\/testing$/, replacement: src('core', 'testing/index.ts') },
  { find: /^@saekit\/core$/, replacement: src('core') },
  { find: /^@saekit\/io$/, replacement: src('io') },
  { find: /^@saekit\/backend-webgpu$/, replacement: src('backend-webgpu') },
  { find: /^@saekit\/backend-tfjs$/, replacement: src('backend-tfjs') },
  { find: /^@saekit\/backend-onnxruntime$/, replacement: src('backend-onnxruntime') },
  { find: /^@saekit\/cli$/, replacement: src('cli') },
];

export function saekitVitestConfig(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { alias: saekitAliases },
    test: {
      // Forked processes, not worker threads: Dawn and tfjs native code misbehave in workers.
      pool: 'forks',
      include: overrides.include ?? ['test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 120_000,
      hookTimeout: 120_000,
    },
  });
}

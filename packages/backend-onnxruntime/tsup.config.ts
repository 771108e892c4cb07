import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // binding.ts resolves onnxruntime-node from import.meta.url, which CJS output must shim.
  shims: true,
  external: [/^onnxruntime-/, /^@saekit\//],
});

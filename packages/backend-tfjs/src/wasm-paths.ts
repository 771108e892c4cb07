/**
 * Where the wasm backend's .wasm binaries are. Under Node they ship inside the
 * @tensorflow/tfjs-backend-wasm package (its dist folder, next to its main file), so we
 * resolve that folder from this module: no network, and the right copy even when several
 * are installed. In a browser there is no filesystem to resolve against: the caller passes
 * `wasmPaths` (a URL prefix) or tfjs's own default applies.
 */
export async function nodeWasmDir(): Promise<string | undefined> {
  if (!isNode()) return undefined;
  const { createRequire } = await import('node:module');
  const { dirname } = await import('node:path');
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

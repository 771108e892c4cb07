/**
 * Bundles the page from the workspace's TypeScript sources (the `source` export condition
 * of @saekit/core and @saekit/backend-webgpu, so no package build is needed) and serves it
 * on 127.0.0.1. `pnpm start` runs this file; the test imports `serveExample`.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ExampleServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Bundles one page script; `alias` swaps modules (the conformance page's 'vitest'). */
async function bundle(entry: string, alias: Record<string, string> = {}): Promise<string> {
  const result = await build({
    entryPoints: [`${root}${entry}`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    // Dawn for Node: imported only where navigator.gpu is absent, never in a browser.
    external: ['webgpu'],
    alias,
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

export function bundlePage(): Promise<string> {
  return bundle('src/main.ts');
}

/** The conformance page: core's cases import `expect` from vitest, served by a shim. */
export function bundleConformance(): Promise<string> {
  return bundle('src/conformance/main.ts', { vitest: `${root}src/conformance/expect.ts` });
}

export async function serveExample(port = 0): Promise<ExampleServer> {
  const [html, script, conformanceHtml, conformance] = await Promise.all([
    readFile(`${root}index.html`, 'utf8'),
    bundlePage(),
    readFile(`${root}conformance.html`, 'utf8'),
    bundleConformance(),
  ]);
  const htmlType = 'text/html; charset=utf-8';
  const jsType = 'text/javascript; charset=utf-8';
  const files = new Map<string, { body: string; type: string }>([
    ['/', { body: html, type: htmlType }],
    ['/main.js', { body: script, type: jsType }],
    ['/conformance.html', { body: conformanceHtml, type: htmlType }],
    ['/conformance.js', { body: conformance, type: jsType }],
  ]);
  const server = createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  // 127.0.0.1 is a secure context, which navigator.gpu requires.
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.PORT ?? 5173);
  const server = await serveExample(port);
  console.log(`saekit browser example: ${server.url} (Chrome/Edge with WebGPU; Ctrl-C stops)`);
}

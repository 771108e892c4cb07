// The @saekit/core conformance suite in headless Chromium on SwiftShader's WebGPU adapter:
// both kernel sets of @saekit/backend-webgpu, every case but the opt-in large ones.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExampleServer, serveExample } from '../scripts/serve.js';
import { CHROMIUM_PATH, chromiumInstalled, launchChromium } from './chromium.js';

const inCi = process.env.CI === 'true';
const missing = `Chromium not found at ${CHROMIUM_PATH}: run scripts/install-examples-system.sh`;

interface Outcome {
  readonly kernels: string;
  readonly adapter: string;
  readonly passed: number;
  readonly failed: readonly { name: string; error: string }[];
}

describe.skipIf(!inCi && !chromiumInstalled())(
  `conformance in Chromium (${missing} if skipped)`,
  () => {
    let server: ExampleServer;
    let browser: Browser;
    let page: Page;
    const consoleLines: string[] = [];

    beforeAll(async () => {
      server = await serveExample();
      browser = await launchChromium();
      page = await browser.newPage();
      page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
      await page.goto(`${server.url}conformance.html`);
      await page.waitForFunction(
        () => ['done', 'error'].includes(document.getElementById('status')?.dataset.state ?? ''),
        null,
        { timeout: 1_100_000, polling: 500 },
      );
    }, 1_200_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('passes every case on both kernel sets', async () => {
      const status = (await page.textContent('#status')) ?? '';
      expect(status, `${status}\n${consoleLines.join('\n')}`).not.toMatch(/^error/);
      const outcomes = (await page.evaluate(
        () => (window as unknown as { conformance: Outcome[] }).conformance,
      )) as Outcome[];
      expect(outcomes.map((o) => o.kernels)).toEqual(['software', 'gpu']);
      for (const o of outcomes) {
        console.info(`${o.adapter}, ${o.kernels} kernels: ${o.passed} cases passed`);
        expect(o.failed, JSON.stringify(o.failed, null, 1)).toEqual([]);
        expect(o.passed).toBeGreaterThan(50);
      }
    });
  },
);

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExampleServer, serveExample } from '../scripts/serve.js';
import { CHROMIUM_PATH, chromiumInstalled, launchChromium } from './chromium.js';

const inCi = process.env.CI === 'true';
const missing = `Chromium not found at ${CHROMIUM_PATH}: run scripts/install-examples-system.sh`;

describe.skipIf(!inCi && !chromiumInstalled())(`browser example (${missing} if skipped)`, () => {
  let server: ExampleServer;
  let browser: Browser;
  let page: Page;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    server = await serveExample();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.goto(server.url);
    await page.waitForFunction(
      () => ['done', 'error'].includes(document.getElementById('status')?.dataset.state ?? ''),
      null,
      { timeout: 240_000, polling: 250 },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds a WebGPU adapter in headless Chromium', async () => {
    const status = await page.textContent('#status');
    const adapter = await page.textContent('#adapter');
    // Under CI the adapter is required; a missing one is a failure, never a skip.
    expect(status, `page reported: ${status}\n${consoleLines.join('\n')}`).not.toMatch(/error/);
    expect(adapter).not.toBe('—');
  });
});

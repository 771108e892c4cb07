import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saekit, tempDir } from './saekit.js';

/**
 * The report as a reader sees it: rendered by headless Chromium (Debian's, as the browser
 * example uses), with layout, so overlapping labels are caught, not only missing elements.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const inCi = process.env.CI === 'true';

describe.skipIf(!inCi && !existsSync(CHROMIUM))(
  `the inspect report in headless Chromium (needs ${CHROMIUM})`,
  () => {
    const dir = tempDir('chromium');
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      const shards = join(dir.path, 'shards');
      const held = join(dir.path, 'held');
      const run = join(dir.path, 'run');
      const steps = (args: string[]) => {
        const r = saekit(args);
        expect(r.code, r.stderr).toBe(0);
      };
      steps([
        'synth',
        '--out',
        shards,
        '--held-out',
        held,
        '--d-in',
        '16',
        '--tokens',
        '8192',
        '--features',
        '32',
        '--held-out-tokens',
        '2048',
        '--seq-len',
        '16',
      ]);
      steps([
        'train',
        '--data',
        shards,
        '--out',
        run,
        '--d-sae',
        '64',
        '--k',
        '4',
        '--batch-size',
        '256',
        '--steps',
        '120',
        '--lr',
        '0.01',
        '--backend',
        'cpu',
        '--log-every',
        '5',
        '--model-name',
        'tiny-model',
        '--hook-name',
        'blocks.0.hook_resid_post',
      ]);
      steps([
        'inspect',
        '--sae',
        run,
        '--data',
        held,
        '--tokenizer',
        join(shards, 'tokenizer.bin'),
        '--features',
        '6',
        '--contexts',
        '3',
        '--backend',
        'cpu',
      ]);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${join(run, 'report.html')}`);
      expect(readFileSync(join(run, 'report.html'), 'utf8').length).toBeGreaterThan(0);
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      dir.remove();
    });

    const field = (id: string) =>
      page.locator(`#header tr[data-field="${id}"] td:nth-child(2)`).textContent();

    it('shows the run in the header: config, metadata, evaluation, recovery', async () => {
      expect(await field('architecture')).toBe('topk');
      expect(await field('d_in')).toBe('16');
      expect(await field('d_sae')).toBe('64');
      expect(await field('k')).toBe('4');
      expect(await field('lr')).toBe('0.01');
      expect(await field('batch')).toBe('256');
      expect(await field('steps')).toBe('120');
      expect(await field('model')).toBe('tiny-model');
      expect(await field('hook')).toBe('blocks.0.hook_resid_post');
      expect(await field('data')).toContain('shards');
      expect(Number(await field('fvu'))).toBeGreaterThan(0);
      expect(Number(await field('fvu'))).toBeLessThan(1);
      expect(await field('recovered')).toMatch(/^\d+ of 32 /);
      expect(await page.locator('#header').isVisible()).toBe(true);
    });

    it('draws the learning-rate schedule: warmup up, then decay down', async () => {
      const chart = page.locator('svg.chart', {
        has: page.locator('title', { hasText: /^Learning rate$/ }),
      });
      expect(await chart.isVisible()).toBe(true);
      // Screen y of each vertex: smaller y is a larger lr.
      const ys = await chart.locator('path.series').evaluate((p) => {
        const path = p as SVGPathElement;
        const n = 50;
        const len = path.getTotalLength();
        return Array.from({ length: n + 1 }, (_, i) => path.getPointAtLength((len * i) / n).y);
      });
      const top = Math.min(...ys);
      expect(ys[0]).toBeGreaterThan(top);
      expect(ys.at(-1)).toBeGreaterThan(top);
    });

    it('has readable axes: no two tick labels of a chart overlap, and each has text', async () => {
      const overlaps = await page.evaluate(() => {
        const bad: string[] = [];
        for (const svg of Array.from(document.querySelectorAll('svg.chart'))) {
          const boxes = Array.from(svg.querySelectorAll('text.tick')).map((t) => ({
            text: t.textContent ?? '',
            r: t.getBoundingClientRect(),
          }));
          for (let i = 0; i < boxes.length; i++) {
            if (boxes[i].text.trim() === '')
              bad.push(`${svg.getAttribute('aria-label')}: empty label`);
            for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i].r;
              const b = boxes[j].r;
              if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                bad.push(
                  `${svg.getAttribute('aria-label')}: '${boxes[i].text}' overlaps '${boxes[j].text}'`,
                );
              }
            }
          }
        }
        return bad;
      });
      expect(overlaps).toEqual([]);
      // The log FVU axis carries at least two labels.
      const fvu = page.locator('svg.chart', {
        has: page.locator('title', { hasText: 'Fraction of variance unexplained' }),
      });
      expect(await fvu.locator('text.tick').count()).toBeGreaterThanOrEqual(4);
    });

    it('navigates between latents and looks one up by id', async () => {
      const first = page.locator('.feature').first();
      const next = first.locator('a[rel="next"]');
      const target = await next.getAttribute('href');
      await next.click();
      expect(new URL(page.url()).hash).toBe(target);
      const id = (await page.locator('.feature').nth(2).getAttribute('data-latent')) ?? '';
      await page.fill('#lookup-id', id);
      await page.click('#lookup button');
      expect(new URL(page.url()).hash).toBe(`#latent-${id}`);
      expect(await page.locator(`#latent-${id}`).isVisible()).toBe(true);
      await page.fill('#lookup-id', '99999');
      await page.click('#lookup button');
      expect(await page.locator('#lookup-result').textContent()).toBe(
        'latent 99999 is not in this report',
      );
    });
  },
);

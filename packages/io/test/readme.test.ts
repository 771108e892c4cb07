import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const tmp = `${here}.tmp/`;

describe('README snippets run as written', async () => {
  const readme = await readFile(`${here}../README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  afterAll(() => rm(tmp, { recursive: true, force: true }));
  it('has snippets', () => expect(blocks.length).toBeGreaterThanOrEqual(5));
  blocks.forEach((code, i) => {
    it(`snippet ${i + 1}`, async () => {
      await mkdir(tmp, { recursive: true });
      const file = `${tmp}readme-${i}.ts`;
      await writeFile(file, code);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      // The snippets make their folders under os.tmpdir(): keep them inside ours.
      const saved = process.env['TMPDIR'];
      process.env['TMPDIR'] = tmp;
      try {
        await import(/* @vite-ignore */ file);
        expect(log).toHaveBeenCalled();
      } finally {
        log.mockRestore();
        if (saved === undefined) delete process.env['TMPDIR'];
        else process.env['TMPDIR'] = saved;
      }
    });
  });
});

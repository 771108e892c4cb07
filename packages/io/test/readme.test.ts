import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const tmp = `${here}.tmp/`;

/**
 * What each snippet prints, line by line (util.format of its console.log arguments): the
 * values the README's comments promise, so a snippet that runs but reads or writes the wrong
 * thing fails.
 */
const PRINTS: readonly (readonly string[])[] = [
  // safetensors: metadata, bf16 widened to float32, int32 ids
  ["{ note: 'hello' } BF16 Float32Array(6) [ 1, 2, 3, 4, 5, 6 ]", 'Int32Array(2) [ 7, 8 ]'],
  // npy / npz
  ['Float32Array(4) [ 1, 2, 3, 4 ]', '[ 2 ]'],
  // dataset: dIn 4, ⌊2 epochs · 2500 rows / 256⌋ = 19 batches, a resumed batch of 256 × 4
  ['4 19 1024'],
  // checkpoint round trip: detected format, architecture, weights intact
  ['saelens topk true'],
  // tokenizer: a llama2.c file decoded, and the text each token adds
  ['llama2c Once upon', "[ '<s>', 'Once', ' upon' ]"],
  // training state: meta and int32 arrays come back
  ['10 Int32Array(2) [ 0, 0 ]'],
];

describe('README snippets run as written', async () => {
  const readme = await readFile(`${here}../README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  afterAll(() => rm(tmp, { recursive: true, force: true }));
  it('has one expected output per snippet', () => expect(blocks.length).toBe(PRINTS.length));
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
        const printed = log.mock.calls.map((args) => format(...args));
        expect(printed).toEqual(PRINTS[i]);
      } finally {
        log.mockRestore();
        if (saved === undefined) delete process.env['TMPDIR'];
        else process.env['TMPDIR'] = saved;
      }
    });
  });
});

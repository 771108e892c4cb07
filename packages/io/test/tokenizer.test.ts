import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '@saekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeLlama2cTokenizer,
  FormatError,
  type HuggingFaceTokenizer,
  Llama2cTokenizer,
  loadTokenizer,
  tokenTexts,
} from '../src/index.js';
import { byteLevelBpeTokenizer } from './tokenizer-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'saekit-tokenizer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Llama2cTokenizer', () => {
  // As llama2.c writes them: BOS and EOS wrapped in newlines.
  const pieces = [
    '<unk>',
    '\n<s>\n',
    '\n</s>\n',
    '<0x0A>',
    ' Once',
    ' upon',
    'é',
    '<0xC3>',
    '<0xA9>',
  ];
  const bytes = encodeLlama2cTokenizer(pieces);
  const tok = Llama2cTokenizer.parse(bytes);

  it('reads every piece of the file, in order, when no vocabulary size is given', () => {
    expect(tok.vocabSize).toBe(pieces.length);
    expect(pieces.map((_, i) => tok.piece(i))).toEqual(pieces);
    expect(Llama2cTokenizer.parse(bytes, { vocabSize: 4 }).vocabSize).toBe(4);
  });

  it('gives each token the text it adds: byte tokens, the space dropped after BOS, markers', () => {
    // BOS, " Once", " upon", newline byte, "é" as two byte tokens, EOS.
    expect(tokenTexts(tok, [1, 4, 5, 3, 7, 8, 2])).toEqual([
      '<s>',
      'Once',
      ' upon',
      '\n',
      '\uFFFD',
      'é',
      '</s>',
    ]);
    expect(tok.decode([1, 4, 5, 3, 6])).toBe('Once upon\né');
  });

  it('refuses ids outside the vocabulary, naming the tokenizer', () => {
    expect(() => tokenTexts(tok, [4, 99])).toThrow(DataError);
    expect(() => tokenTexts(tok, [4, 99])).toThrow(/token id 99 .*outside the vocabulary \[0, 9\)/);
  });

  it('rejects a truncated file with a typed error naming the file and token', () => {
    expect(() =>
      Llama2cTokenizer.parse(bytes.subarray(0, bytes.length - 1), { file: 'tok.bin' }),
    ).toThrow(/tok\.bin: token 8 has bad length/);
    expect(() => Llama2cTokenizer.parse(new Uint8Array(2))).toThrow(FormatError);
  });
});

describe('HuggingFaceTokenizer (byte-level BPE tokenizer.json)', () => {
  const json = byteLevelBpeTokenizer();
  const path = join(dir, 'tokenizer.json');
  writeFileSync(path, JSON.stringify(json));

  it('is what loadTokenizer returns for a tokenizer.json, a folder holding one, or any JSON', async () => {
    expect((await loadTokenizer(path)).kind).toBe('huggingface');
    expect((await loadTokenizer(dir)).kind).toBe('huggingface');
    const renamed = join(dir, 'gpt.tok');
    writeFileSync(renamed, JSON.stringify(json));
    expect((await loadTokenizer(renamed)).kind).toBe('huggingface');
  });

  it('round-trips text and gives each token its text, spaces and newlines included', async () => {
    const tok = (await loadTokenizer(path)) as HuggingFaceTokenizer;
    const text = 'the cat\nsat é';
    const ids = tok.encode(text);
    expect(tok.decode(ids)).toBe(text);
    const texts = tokenTexts(tok, ids);
    // Concatenated, the texts are the text, but for the placeholder of the split character.
    expect(texts.filter((t) => t !== '\uFFFD').join('')).toBe(text);
    expect(texts.slice(0, 4)).toEqual(['t', 'he', ' c', 'at']);
    expect(texts).toContain('\n');
    // é is two bytes, two tokens: the second carries the character.
    expect(texts.slice(-2)).toEqual(['\uFFFD', 'é']);
  });

  it('counts added tokens in the vocabulary and shows a special token by its name', async () => {
    const tok = await loadTokenizer(path);
    const eot = json.added_tokens[0].id;
    expect(tok.vocabSize).toBe(eot + 1);
    expect(tokenTexts(tok, [eot])).toEqual(['<|endoftext|>']);
  });

  it('names the file when the JSON is not a tokenizer', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"hello": 1}');
    await expect(loadTokenizer(bad)).rejects.toThrow(
      /bad\.json: not a Hugging Face tokenizer\.json/,
    );
    await expect(loadTokenizer(join(dir, 'missing.json'))).rejects.toThrow(FormatError);
  });
});

describe('loadTokenizer on llama2.c files', () => {
  it('reads tokenizer.bin, or a folder holding one', async () => {
    const sub = mkdtempSync(join(dir, 'l2c-'));
    writeFileSync(join(sub, 'tokenizer.bin'), encodeLlama2cTokenizer(['<unk>', ' a', ' b']));
    const tok = await loadTokenizer(sub);
    expect(tok.kind).toBe('llama2c');
    expect(tokenTexts(tok, [1, 2])).toEqual([' a', ' b']);
  });
});

/** The first `shared/models/tok512.bin` beside the repository root or one of its ancestors. */
function findTok512(): string | undefined {
  let dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
  for (;;) {
    const candidate = join(dir, 'shared', 'models', 'tok512.bin');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const tok512 = findTok512();
if (tok512 === undefined) {
  const why = 'shared/models/tok512.bin not found beside the repository (see its README)';
  if (process.env['CI'] === 'true') throw new Error(`tokenizer tests: ${why}`);
  console.warn(`tests on the real llama2.c tokenizer skipped: ${why}`);
}

describe.skipIf(tok512 === undefined)(
  `the real llama2.c tok512.bin (${tok512 ?? 'absent'})`,
  () => {
    const tok = Llama2cTokenizer.load(tok512 ?? '');

    it('reads all 512 tokens: specials, 256 byte tokens, then the merges', () => {
      expect(tok.vocabSize).toBe(512);
      expect(tok.maxTokenLength).toBe(7);
      expect([0, 1, 2, 3, 258, 259, 260].map((i) => tok.piece(i))).toEqual([
        '<unk>',
        '\n<s>\n',
        '\n</s>\n',
        '<0x00>',
        '<0xFF>',
        ' t',
        'he',
      ]);
      expect(tok.piece(511)).toBe('\u200a'); // the last piece: a 3-byte UTF-8 character
    });

    it('decodes and encodes a TinyStories sentence as llama2.c does', () => {
      // BOS, " Once", " upon", " a", " time", ",", the newline byte
      const ids = [1, 403, 407, 261, 378, 432, 13];
      expect(tokenTexts(tok, ids)).toEqual(['<s>', 'Once', ' upon', ' a', ' time', ',', '\n']);
      expect(tok.decode(ids)).toBe('Once upon a time,\n');
      expect(tok.encode('Once upon a time,', { bos: true })).toEqual(ids.slice(0, 6));
      const text = 'Once upon a time, there was a little girl named Lily.';
      expect(tok.decode(tok.encode(text, { bos: true }))).toBe(text);
    });
  },
);

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '@saekit/core';
import { FormatError } from '../errors.js';

/**
 * What inspecting activations needs from a tokenizer: turn token ids back into text. Both
 * llama2.c files and Hugging Face `tokenizer.json` files provide it.
 */
export interface TokenDecoder {
  readonly kind: 'llama2c' | 'huggingface';
  readonly vocabSize: number;
  /** Where the tokenizer came from (a file path), for messages. */
  readonly source: string;
  decode(ids: readonly number[]): string;
  /** A visible spelling for a token that decodes to nothing (BOS, EOS, padding). */
  marker(id: number): string | undefined;
}

/**
 * The text each token adds to running text: decoding the prefix up to and including the
 * token minus the prefix before it. Unlike decoding tokens one at a time this keeps what
 * depends on neighbours (a leading space dropped after BOS, byte-level BPE's multi-byte
 * characters split over tokens: the byte that completes a character carries it). Tokens
 * that add nothing show their marker. Ids outside the vocabulary are refused: they mean
 * the tokenizer is not the model's.
 */
export function tokenTexts(tokenizer: TokenDecoder, ids: readonly number[]): string[] {
  for (const [i, id] of ids.entries()) {
    if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
      throw new DataError(
        `token id ${id} (position ${i}) is outside the vocabulary [0, ${tokenizer.vocabSize}): is this the model's tokenizer?`,
        tokenizer.source,
      );
    }
  }
  const out: string[] = [];
  let before = '';
  for (let i = 0; i < ids.length; i++) {
    const upTo = tokenizer.decode(ids.slice(0, i + 1));
    // An incomplete character at the end of the prefix decodes as U+FFFD; the token that
    // completes it replaces that, so compare against the prefix without it.
    const settled = before.replace(/\uFFFD+$/, '');
    const text = upTo.startsWith(before)
      ? upTo.slice(before.length)
      : upTo.startsWith(settled)
        ? upTo.slice(settled.length)
        : tokenizer.decode([ids[i]]);
    before = upTo;
    out.push(text === '' ? (tokenizer.marker(ids[i]) ?? '') : text);
  }
  return out;
}

/**
 * Loads a tokenizer for decoding: a Hugging Face `tokenizer.json` (a file, or a folder that
 * holds one, with its `tokenizer_config.json` when present) or a llama2.c `tokenizer.bin`
 * (a file, or a folder with `tokenizer.bin`).
 */
export async function loadTokenizer(path: string): Promise<TokenDecoder> {
  if (!existsSync(path)) throw new FormatError(path, 'no such tokenizer file or folder');
  let file = path;
  if (statSync(path).isDirectory()) {
    const candidate = ['tokenizer.json', 'tokenizer.bin']
      .map((n) => join(path, n))
      .find(existsSync);
    if (!candidate) {
      throw new FormatError(
        path,
        'holds neither tokenizer.json (Hugging Face) nor tokenizer.bin (llama2.c)',
      );
    }
    file = candidate;
  }
  const bytes = readFileSync(file);
  // A JSON object, whatever the file is called, is a Hugging Face tokenizer.
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b) {
    const { HuggingFaceTokenizer } = await import('./huggingface.js');
    return HuggingFaceTokenizer.parse(bytes, file);
  }
  const { Llama2cTokenizer } = await import('./llama2c.js');
  return Llama2cTokenizer.parse(bytes, { file });
}

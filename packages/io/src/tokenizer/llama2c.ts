import { readFileSync } from 'node:fs';
import { DataError } from '@saekit/core';
import { FormatError } from '../errors.js';
import type { TokenDecoder } from './tokenizer.js';

/** llama2.c's beginning- and end-of-sequence token ids. */
export const LLAMA2C_BOS = 1;
export const LLAMA2C_EOS = 2;
const BOS = LLAMA2C_BOS;
const EOS = LLAMA2C_EOS;

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const utf8 = new TextEncoder();

/** Bytes as a latin1 string: one char per byte, so arbitrary byte strings can key a Map. */
function bytesKey(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function keyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
  return out;
}

/**
 * The llama2.c tokenizer: a SentencePiece-style BPE vocabulary whose merges are applied by
 * score (highest first), with byte-fallback tokens `<0x00>`..`<0xFF>` for anything the
 * vocabulary lacks. Pieces are raw bytes, so multi-byte characters may span tokens.
 */
export class Llama2cTokenizer implements TokenDecoder {
  readonly kind = 'llama2c';
  readonly vocabSize: number;
  readonly maxTokenLength: number;
  readonly #pieces: string[]; // latin1-keyed bytes of each token
  readonly #scores: Float32Array;
  readonly #ids = new Map<string, number>();
  readonly #byteToken = new Int32Array(256).fill(-1);
  readonly #tokenByte: Int16Array; // the byte a `<0xXX>` token stands for, else -1
  /** Whether ids 1 and 2 really are `<s>` / `</s>` (a made-up vocabulary may lack them). */
  readonly #bos: boolean;
  readonly #eos: boolean;

  constructor(
    pieces: readonly Uint8Array[],
    scores: Float32Array,
    maxTokenLength: number,
    readonly source = '<memory>',
  ) {
    this.vocabSize = pieces.length;
    this.maxTokenLength = maxTokenLength;
    this.#pieces = pieces.map(bytesKey);
    this.#scores = scores;
    this.#tokenByte = new Int16Array(pieces.length).fill(-1);
    this.#bos = this.#pieces[BOS]?.trim() === '<s>';
    this.#eos = this.#pieces[EOS]?.trim() === '</s>';
    this.#pieces.forEach((piece, id) => {
      if (!this.#ids.has(piece)) this.#ids.set(piece, id);
      const m = BYTE_TOKEN.exec(piece);
      if (m !== null) {
        const byte = Number.parseInt(m[1], 16);
        this.#tokenByte[id] = byte;
        if (this.#byteToken[byte] < 0) this.#byteToken[byte] = id;
      }
    });
  }

  /**
   * Parses a llama2.c `tokenizer.bin`: int32 max token length, then per token float32 score,
   * int32 byte length and the bytes, little-endian. The file does not store its vocabulary
   * size: give `vocabSize` to read exactly that many tokens (the model config knows it),
   * or leave it out to read tokens until the file ends.
   */
  static parse(
    bytes: Uint8Array,
    options: { vocabSize?: number; file?: string } = {},
  ): Llama2cTokenizer {
    const file = options.file ?? '<memory>';
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 4) throw new FormatError(file, 'shorter than its 4-byte header');
    const maxTokenLength = view.getInt32(0, true);
    if (maxTokenLength <= 0 || maxTokenLength > 1 << 16) {
      throw new FormatError(file, `not a llama2.c tokenizer (max_token_length ${maxTokenLength})`);
    }
    const pieces: Uint8Array[] = [];
    const scores: number[] = [];
    let offset = 4;
    const wanted = options.vocabSize ?? Number.POSITIVE_INFINITY;
    for (
      let id = 0;
      id < wanted && (options.vocabSize !== undefined || offset < bytes.byteLength);
      id++
    ) {
      if (offset + 8 > bytes.byteLength) {
        throw new FormatError(
          file,
          options.vocabSize === undefined
            ? `token ${id}: truncated header at byte ${offset}`
            : `ends at token ${id} of ${options.vocabSize}`,
        );
      }
      scores.push(view.getFloat32(offset, true));
      const length = view.getInt32(offset + 4, true);
      offset += 8;
      if (length < 0 || length > maxTokenLength || offset + length > bytes.byteLength) {
        throw new FormatError(file, `token ${id} has bad length ${length} at byte ${offset - 4}`);
      }
      pieces.push(bytes.slice(offset, offset + length));
      offset += length;
    }
    return new Llama2cTokenizer(pieces, Float32Array.from(scores), maxTokenLength, file);
  }

  static load(path: string, vocabSize?: number): Llama2cTokenizer {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw new FormatError(path, `cannot read tokenizer (${(cause as Error).message})`, { cause });
    }
    return Llama2cTokenizer.parse(bytes, { vocabSize, file: path });
  }

  /** The token's raw piece as text (byte tokens stay spelled `<0xXX>`). */
  piece(token: number): string {
    this.#check(token);
    return new TextDecoder().decode(keyBytes(this.#pieces[token]));
  }

  /**
   * Encodes like llama2.c: optional BOS, a dummy-prefix space token before non-empty text,
   * one token per UTF-8 character (byte tokens where the vocabulary lacks it), then merges
   * the best-scoring adjacent pair until none is in the vocabulary; optional EOS.
   */
  encode(text: string, options: { bos?: boolean; eos?: boolean } = {}): number[] {
    const tokens: number[] = [];
    if (text.length > 0) {
      const space = this.#ids.get(' ');
      if (space === undefined) throw new DataError('vocabulary has no " " token', this.source);
      tokens.push(space);
    }
    for (const char of text) {
      const bytes = utf8.encode(char);
      const id = this.#ids.get(bytesKey(bytes));
      if (id !== undefined) {
        tokens.push(id);
        continue;
      }
      for (const b of bytes) {
        const byteId = this.#byteToken[b];
        if (byteId < 0) {
          throw new DataError(`cannot encode byte 0x${b.toString(16)}: no byte token`, this.source);
        }
        tokens.push(byteId);
      }
    }
    for (;;) {
      let bestScore = Number.NEGATIVE_INFINITY;
      let bestId = -1;
      let bestAt = -1;
      for (let i = 0; i + 1 < tokens.length; i++) {
        const id = this.#ids.get(this.#pieces[tokens[i]] + this.#pieces[tokens[i + 1]]);
        if (id !== undefined && this.#scores[id] > bestScore) {
          bestScore = this.#scores[id];
          bestId = id;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      tokens.splice(bestAt, 2, bestId);
    }
    if (options.bos) tokens.unshift(BOS);
    if (options.eos) tokens.push(EOS);
    return tokens;
  }

  /**
   * The bytes `token` contributes after `prev`: a byte token gives its byte, BOS/EOS give
   * nothing, and a piece right after BOS loses its leading space (the dummy prefix).
   */
  decodeBytes(prev: number, token: number): Uint8Array {
    this.#check(token);
    if ((token === BOS && this.#bos) || (token === EOS && this.#eos)) return new Uint8Array(0);
    const byte = this.#tokenByte[token];
    if (byte >= 0) return Uint8Array.of(byte);
    const piece = this.#pieces[token];
    return keyBytes(prev === BOS && this.#bos && piece.startsWith(' ') ? piece.slice(1) : piece);
  }

  /** One token's text after `prev` (a lone byte of a multi-byte character shows as U+FFFD). */
  decodePiece(prev: number, token: number): string {
    return new TextDecoder().decode(this.decodeBytes(prev, token));
  }

  /** Decodes a token sequence to text, joining byte tokens into UTF-8 characters. */
  decode(tokens: readonly number[], prev = -1): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (const token of tokens) {
      const bytes = this.decodeBytes(prev, token);
      parts.push(bytes);
      length += bytes.length;
      prev = token;
    }
    const all = new Uint8Array(length);
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
    return new TextDecoder().decode(all);
  }

  /** BOS / EOS read as `<s>` / `</s>` (llama2.c stores them wrapped in newlines). */
  marker(token: number): string | undefined {
    this.#check(token);
    return (token === BOS && this.#bos) || (token === EOS && this.#eos)
      ? this.piece(token).trim()
      : undefined;
  }

  #check(token: number): void {
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize) {
      throw new DataError(
        `token id ${token} is outside the vocabulary [0, ${this.vocabSize})`,
        this.source,
      );
    }
  }
}

/**
 * Encodes pieces as a llama2.c tokenizer file. Scores are −index, so earlier pieces merge
 * first, like a BPE merge order.
 */
export function encodeLlama2cTokenizer(pieces: readonly string[]): Uint8Array {
  const encoded = pieces.map((p) => utf8.encode(p));
  const maxLen = Math.max(1, ...encoded.map((e) => e.length));
  const out = new Uint8Array(4 + encoded.reduce((n, e) => n + 8 + e.length, 0));
  const view = new DataView(out.buffer);
  view.setInt32(0, maxLen, true);
  let off = 4;
  encoded.forEach((e, i) => {
    view.setFloat32(off, -i, true);
    view.setInt32(off + 4, e.length, true);
    out.set(e, off + 8);
    off += 8 + e.length;
  });
  return out;
}

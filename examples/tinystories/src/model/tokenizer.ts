import { readFileSync } from 'node:fs';
import { ModelFormatError, ModelInputError } from '../errors.js';

export const BOS = 1;
export const EOS = 2;

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
export class Tokenizer {
  readonly vocabSize: number;
  readonly maxTokenLength: number;
  readonly #pieces: string[]; // latin1-keyed bytes of each token
  readonly #scores: Float32Array;
  readonly #ids = new Map<string, number>();
  readonly #byteToken = new Int32Array(256).fill(-1);
  readonly #tokenByte: Int16Array; // the byte a `<0xXX>` token stands for, else -1

  constructor(pieces: readonly Uint8Array[], scores: Float32Array, maxTokenLength: number) {
    this.vocabSize = pieces.length;
    this.maxTokenLength = maxTokenLength;
    this.#pieces = pieces.map(bytesKey);
    this.#scores = scores;
    this.#tokenByte = new Int16Array(pieces.length).fill(-1);
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

  /** Parses a llama2.c `tokenizer.bin`: int32 max length, then per token f32 score, i32 length, bytes. */
  static parse(bytes: Uint8Array, vocabSize: number, file = '<memory>'): Tokenizer {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 4) throw new ModelFormatError(file, 'shorter than its 4-byte header');
    const maxTokenLength = view.getInt32(0, true);
    const pieces: Uint8Array[] = [];
    const scores = new Float32Array(vocabSize);
    let offset = 4;
    for (let id = 0; id < vocabSize; id++) {
      if (offset + 8 > bytes.byteLength) {
        throw new ModelFormatError(file, `ends at token ${id} of ${vocabSize}`);
      }
      scores[id] = view.getFloat32(offset, true);
      const length = view.getInt32(offset + 4, true);
      offset += 8;
      if (length < 0 || length > maxTokenLength || offset + length > bytes.byteLength) {
        throw new ModelFormatError(file, `token ${id} has bad length ${length}`);
      }
      pieces.push(bytes.slice(offset, offset + length));
      offset += length;
    }
    return new Tokenizer(pieces, scores, maxTokenLength);
  }

  static load(path: string, vocabSize: number): Tokenizer {
    return Tokenizer.parse(readFileSync(path), vocabSize, path);
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
      if (space === undefined) throw new ModelInputError('vocabulary has no " " token');
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
          throw new ModelInputError(`cannot encode byte 0x${b.toString(16)}: no byte token`);
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
    if (token === BOS || token === EOS) return new Uint8Array(0);
    const byte = this.#tokenByte[token];
    if (byte >= 0) return Uint8Array.of(byte);
    const piece = this.#pieces[token];
    return keyBytes(prev === BOS && piece.startsWith(' ') ? piece.slice(1) : piece);
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

  #check(token: number): void {
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize) {
      throw new ModelInputError(`token id ${token} is outside [0, ${this.vocabSize})`);
    }
  }
}

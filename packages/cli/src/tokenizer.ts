import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';

/**
 * A llama2.c tokenizer file (tokenizer.bin / tok512.bin): int32 max_token_length, then per
 * token float32 score, int32 byte length, and the UTF-8 bytes, all little-endian, until the
 * end of the file. Only decoding is needed here: show the tokens around an activation.
 */
export class Llama2cTokenizer {
  private constructor(
    readonly pieces: readonly string[],
    readonly maxTokenLength: number,
  ) {}

  static read(path: string): Llama2cTokenizer {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new InputError(path, `cannot read tokenizer (${(err as NodeJS.ErrnoException).code})`);
    }
    return Llama2cTokenizer.parse(bytes, path);
  }

  static parse(bytes: Uint8Array, source = 'tokenizer'): Llama2cTokenizer {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 4) throw new InputError(source, 'too short for a llama2.c tokenizer');
    const maxLen = view.getInt32(0, true);
    if (maxLen <= 0 || maxLen > 1 << 16) {
      throw new InputError(source, `not a llama2.c tokenizer (max_token_length ${maxLen})`);
    }
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const pieces: string[] = [];
    let off = 4;
    while (off < bytes.byteLength) {
      if (off + 8 > bytes.byteLength) {
        throw new InputError(source, `token ${pieces.length}: truncated header at byte ${off}`);
      }
      const len = view.getInt32(off + 4, true);
      off += 8;
      if (len < 0 || len > maxLen || off + len > bytes.byteLength) {
        throw new InputError(
          source,
          `token ${pieces.length}: bad length ${len} at byte ${off - 4}`,
        );
      }
      pieces.push(decoder.decode(bytes.subarray(off, off + len)));
      off += len;
    }
    return new Llama2cTokenizer(pieces, maxLen);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /**
   * The text of one token as it reads in running text: byte tokens like <0x0A> become their
   * character, and a piece after BOS (id 1) loses its leading space, as llama2.c prints it.
   */
  decodeToken(id: number, previous?: number): string {
    const piece = this.pieces[id];
    if (piece === undefined) return `<${id}?>`;
    const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
    if (byte) {
      // ASCII bytes read as their character; a lone byte of a multi-byte UTF-8 character
      // has none, so it keeps its <0xNN> spelling.
      const value = Number.parseInt(byte[1], 16);
      return value < 0x80 ? String.fromCharCode(value) : piece;
    }
    // llama2.c stores BOS / EOS as "\n<s>\n" / "\n</s>\n"; show them as markers.
    const trimmed = piece.trim();
    if (trimmed === '<s>' || trimmed === '</s>') return trimmed;
    if (previous === 1 && this.pieces[1]?.trim() === '<s>' && piece.startsWith(' ')) {
      return piece.slice(1);
    }
    return piece;
  }
}

/** Encodes pieces as a llama2.c tokenizer file (scores are −index, like a BPE merge order). */
export function llama2cTokenizerFile(pieces: readonly string[]): Uint8Array {
  const enc = new TextEncoder();
  const encoded = pieces.map((p) => enc.encode(p));
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

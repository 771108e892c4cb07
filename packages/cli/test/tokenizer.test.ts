import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { Llama2cTokenizer, llama2cTokenizerFile } from '../src/tokenizer.js';

describe('Llama2cTokenizer', () => {
  // As llama2.c writes them: BOS and EOS wrapped in newlines.
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n', '<0x0A>', ' Once', ' upon', 'é', '<0xC3>'];
  const tok = Llama2cTokenizer.parse(llama2cTokenizerFile(pieces));

  it('reads every piece of the file, in order', () => {
    expect(tok.vocabSize).toBe(pieces.length);
    expect(tok.pieces).toEqual(pieces);
  });

  it('decodes byte tokens and drops the space after BOS, as llama2.c prints them', () => {
    expect(tok.decodeToken(3)).toBe('\n');
    expect(tok.decodeToken(4, 1)).toBe('Once');
    expect(tok.decodeToken(5, 4)).toBe(' upon');
    expect(tok.decodeToken(6)).toBe('é');
    expect(tok.decodeToken(1)).toBe('<s>');
    expect(tok.decodeToken(2)).toBe('</s>');
    // A lone byte of a multi-byte character has no text of its own.
    expect(tok.decodeToken(7)).toBe('<0xC3>');
    expect(tok.decodeToken(99)).toBe('<99?>');
  });

  it('rejects a truncated file with a typed error naming the token', () => {
    const bytes = llama2cTokenizerFile(pieces);
    expect(() => Llama2cTokenizer.parse(bytes.subarray(0, bytes.length - 1), 'tok.bin')).toThrow(
      /tok\.bin: token 7: bad length/,
    );
    expect(() => Llama2cTokenizer.parse(new Uint8Array(2))).toThrow(InputError);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { JsonObject } from '@saekit/core';
import { parseJsonObject } from '../checkpoint/common.js';
import { FormatError } from '../errors.js';
import type { TokenDecoder } from './tokenizer.js';

/**
 * A Hugging Face `tokenizer.json` (the file every current model ships), run by the
 * `@huggingface/tokenizers` library: BPE (byte-level or SentencePiece-style), WordPiece,
 * Unigram, with their normalizers, pre-tokenizers and decoders.
 */
export class HuggingFaceTokenizer implements TokenDecoder {
  readonly kind = 'huggingface';
  readonly vocabSize: number;
  readonly #specials = new Map<number, string>();

  private constructor(
    readonly tokenizer: Tokenizer,
    json: JsonObject,
    readonly source: string,
  ) {
    const model = json.model as JsonObject | undefined;
    const vocab = model?.vocab;
    // BPE / WordPiece keep {token: id}; Unigram keeps [[token, score], ...].
    let size = Array.isArray(vocab) ? vocab.length : 0;
    if (vocab && typeof vocab === 'object' && !Array.isArray(vocab)) {
      for (const id of Object.values(vocab))
        if (typeof id === 'number') size = Math.max(size, id + 1);
    }
    for (const t of (json.added_tokens as JsonObject[] | undefined) ?? []) {
      if (typeof t.id === 'number' && typeof t.content === 'string') {
        size = Math.max(size, t.id + 1);
        this.#specials.set(t.id, t.content);
      }
    }
    this.vocabSize = size;
  }

  /** `tokenizer_config.json` is read from beside the file when it exists. */
  static parse(bytes: Uint8Array, file = '<memory>'): HuggingFaceTokenizer {
    const json = parseJsonObject(new TextDecoder().decode(bytes), file);
    if (typeof json.model !== 'object' || json.model === null) {
      throw new FormatError(file, "not a Hugging Face tokenizer.json: no 'model' object");
    }
    const configPath = join(dirname(file), 'tokenizer_config.json');
    const config = existsSync(configPath)
      ? parseJsonObject(readFileSync(configPath, 'utf8'), configPath)
      : {};
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, config);
    } catch (cause) {
      throw new FormatError(file, `cannot build the tokenizer (${(cause as Error).message})`, {
        cause,
      });
    }
    return new HuggingFaceTokenizer(tokenizer, json, file);
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids]);
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  marker(id: number): string | undefined {
    return this.#specials.get(id);
  }
}

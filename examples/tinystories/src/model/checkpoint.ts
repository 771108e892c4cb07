import { readFileSync } from 'node:fs';
import { ModelFormatError } from '../errors.js';

/** The seven header fields of a llama2.c (version 0) checkpoint, plus what they imply. */
export interface LlamaConfig {
  readonly dim: number;
  readonly hiddenDim: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly vocabSize: number;
  readonly seqLen: number;
  /** A positive vocab size in the header means the classifier is the token embedding. */
  readonly sharedClassifier: boolean;
  readonly headSize: number;
  readonly kvDim: number;
}

/** The weights, each a view of one float32 array; matrices are [out, in] row-major. */
export interface LlamaWeights {
  readonly tokenEmbedding: Float32Array; // [vocab, dim]
  readonly rmsAtt: Float32Array; // [L, dim]
  readonly wq: Float32Array; // [L, dim, dim]
  readonly wk: Float32Array; // [L, kvDim, dim]
  readonly wv: Float32Array; // [L, kvDim, dim]
  readonly wo: Float32Array; // [L, dim, dim]
  readonly rmsFfn: Float32Array; // [L, dim]
  readonly w1: Float32Array; // [L, hidden, dim]
  readonly w2: Float32Array; // [L, dim, hidden]
  readonly w3: Float32Array; // [L, hidden, dim]
  readonly rmsFinal: Float32Array; // [dim]
  readonly wcls: Float32Array; // [vocab, dim]
}

export interface LlamaCheckpoint {
  readonly config: LlamaConfig;
  readonly weights: LlamaWeights;
}

const HEADER_BYTES = 7 * 4;

/** Parses a llama2.c `.bin` checkpoint (version 0: bare header, float32 weights). */
export function parseLlamaCheckpoint(bytes: Uint8Array, file = '<memory>'): LlamaCheckpoint {
  if (bytes.byteLength < HEADER_BYTES) {
    throw new ModelFormatError(
      file,
      `${bytes.byteLength} bytes is shorter than the 28-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const field = (i: number) => view.getInt32(i * 4, true);
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, rawVocab, seqLen] = [0, 1, 2, 3, 4, 5, 6].map(
    field,
  );
  const names = { dim, hiddenDim, nLayers, nHeads, nKvHeads, seqLen };
  for (const [name, value] of Object.entries(names)) {
    if (!(value > 0)) throw new ModelFormatError(file, `header field ${name} is ${value}`);
  }
  if (rawVocab === 0) throw new ModelFormatError(file, 'header field vocabSize is 0');
  if (dim % nHeads !== 0) {
    throw new ModelFormatError(file, `dim ${dim} is not a multiple of nHeads ${nHeads}`);
  }
  if (nHeads % nKvHeads !== 0) {
    throw new ModelFormatError(file, `nHeads ${nHeads} is not a multiple of nKvHeads ${nKvHeads}`);
  }
  const headSize = dim / nHeads;
  if (headSize % 2 !== 0) throw new ModelFormatError(file, `head size ${headSize} is odd`);
  const vocabSize = Math.abs(rawVocab);
  const sharedClassifier = rawVocab > 0;
  const kvDim = (dim * nKvHeads) / nHeads;
  const config: LlamaConfig = {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize,
    seqLen,
    sharedClassifier,
    headSize,
    kvDim,
  };

  const L = nLayers;
  const sizes = {
    tokenEmbedding: vocabSize * dim,
    rmsAtt: L * dim,
    wq: L * dim * dim,
    wk: L * kvDim * dim,
    wv: L * kvDim * dim,
    wo: L * dim * dim,
    rmsFfn: L * dim,
    w1: L * hiddenDim * dim,
    w2: L * dim * hiddenDim,
    w3: L * hiddenDim * dim,
    rmsFinal: dim,
    ropeTables: seqLen * headSize, // two [seqLen, headSize/2] tables, recomputed instead
    wcls: sharedClassifier ? 0 : vocabSize * dim,
  };
  const floats = Object.values(sizes).reduce((a, b) => a + b, 0);
  const expected = HEADER_BYTES + floats * 4;
  if (bytes.byteLength < expected) {
    throw new ModelFormatError(
      file,
      `${bytes.byteLength} bytes, but the header (dim ${dim}, hidden ${hiddenDim}, layers ${nLayers}, ` +
        `heads ${nHeads}/${nKvHeads}, vocab ${vocabSize}, seq ${seqLen}) needs ${expected}`,
    );
  }
  // Copy once so every view is 4-byte aligned whatever the source buffer's offset.
  const data = new Float32Array(floats);
  new Uint8Array(data.buffer).set(bytes.subarray(HEADER_BYTES, expected));
  let offset = 0;
  const take = (n: number) => {
    const v = data.subarray(offset, offset + n);
    offset += n;
    return v;
  };
  const tokenEmbedding = take(sizes.tokenEmbedding);
  const weights: LlamaWeights = {
    tokenEmbedding,
    rmsAtt: take(sizes.rmsAtt),
    wq: take(sizes.wq),
    wk: take(sizes.wk),
    wv: take(sizes.wv),
    wo: take(sizes.wo),
    rmsFfn: take(sizes.rmsFfn),
    w1: take(sizes.w1),
    w2: take(sizes.w2),
    w3: take(sizes.w3),
    rmsFinal: take(sizes.rmsFinal),
    wcls: tokenEmbedding,
  };
  take(sizes.ropeTables);
  const result = sharedClassifier ? weights : { ...weights, wcls: take(sizes.wcls) };
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ModelFormatError(file, `non-finite weight at float index ${i}`);
    }
  }
  return { config, weights: result };
}

export function loadLlamaCheckpoint(path: string): LlamaCheckpoint {
  return parseLlamaCheckpoint(readFileSync(path), path);
}

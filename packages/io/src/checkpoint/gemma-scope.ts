import { ConfigError, type JsonObject, type SaeWeights } from '@saekit/core';
import { FormatError } from '../errors.js';
import { readNpz, writeNpz } from '../formats/npz.js';
import { floatTensor, transpose } from './common.js';

export const GEMMA_SCOPE_PARAMS = 'params.npz';

/**
 * Reads Gemma Scope's params.npz: W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc, b_dec,
 * threshold. JumpReLU, and the input is used as is (no b_dec subtraction).
 */
export async function loadGemmaScope(
  path: string,
): Promise<{ weights: SaeWeights; cfg: JsonObject }> {
  const arrays = await readNpz(path);
  const wEncIn = arrays['W_enc'];
  if (wEncIn === undefined || wEncIn.shape.length !== 2) {
    throw new FormatError(
      path,
      `missing 2-D 'W_enc' (has ${Object.keys(arrays).join(', ') || 'none'})`,
    );
  }
  const [dIn, dSae] = wEncIn.shape;
  const weights: SaeWeights = {
    architecture: 'jumprelu',
    dIn,
    dSae,
    wEnc: transpose(floatTensor(arrays, 'W_enc', [dIn, dSae], path), dIn, dSae),
    wDec: floatTensor(arrays, 'W_dec', [dSae, dIn], path),
    bEnc: floatTensor(arrays, 'b_enc', [dSae], path),
    bDec: floatTensor(arrays, 'b_dec', [dIn], path),
    threshold: floatTensor(arrays, 'threshold', [dSae], path),
    applyBDecToInput: false,
  };
  return {
    weights,
    cfg: { architecture: 'jumprelu', d_in: dIn, d_sae: dSae, apply_b_dec_to_input: false },
  };
}

/** Writes a JumpReLU SAE (no b_dec on input) as a Gemma Scope params.npz. */
export async function saveGemmaScope(path: string, w: SaeWeights): Promise<void> {
  if (w.architecture !== 'jumprelu' || w.threshold === undefined || w.applyBDecToInput) {
    throw new ConfigError(
      'format',
      'gemma-scope holds JumpReLU SAEs with a threshold and no b_dec on input',
    );
  }
  await writeNpz(path, {
    W_enc: { shape: [w.dIn, w.dSae], data: transpose(w.wEnc, w.dSae, w.dIn) },
    W_dec: { shape: [w.dSae, w.dIn], data: w.wDec },
    b_enc: { shape: [w.dSae], data: w.bEnc },
    b_dec: { shape: [w.dIn], data: w.bDec },
    threshold: { shape: [w.dSae], data: w.threshold },
  });
}

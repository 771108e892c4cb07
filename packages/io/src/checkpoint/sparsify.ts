import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type JsonObject, type SaeWeights } from '@saekit/core';
import { FormatError } from '../errors.js';
import { readSafetensors, writeSafetensors } from '../formats/safetensors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { floatTensor, intField, readJsonObject, type SaveDtype, TORCH_DTYPES } from './common.js';
import { formatRefusal } from './format-refusal.js';
import { CFG, saekitField } from './saelens.js';

export const SPARSIFY_WEIGHTS = 'sae.safetensors';

export function isSparsifyDir(dir: string): boolean {
  return existsSync(join(dir, CFG)) && existsSync(join(dir, SPARSIFY_WEIGHTS));
}

/**
 * Writes EleutherAI sparsify's layout (`SparseCoder.save_to_disk`): cfg.json with the
 * SparseCoderConfig fields plus d_in, and sae.safetensors with encoder.weight [d_sae, d_in]
 * (latent-major, as saekit stores it), encoder.bias, W_dec, b_dec. Top-K only.
 */
export async function saveSparsify(
  dir: string,
  w: SaeWeights,
  options: { dtype?: SaveDtype; extra?: JsonObject } = {},
): Promise<void> {
  const refusal = formatRefusal('sparsify', w);
  if (refusal !== null) throw new ConfigError('format', refusal);
  if (w.k === undefined) throw new ConfigError('k', 'topk weights need k');
  const dtype = TORCH_DTYPES[options.dtype ?? 'float32'];
  if (dtype === undefined) throw new ConfigError('dtype', 'must be float32, float16 or bfloat16');
  await mkdir(dir, { recursive: true });
  await writeSafetensors(
    join(dir, SPARSIFY_WEIGHTS),
    {
      'encoder.weight': { dtype, shape: [w.dSae, w.dIn], data: w.wEnc },
      'encoder.bias': { dtype, shape: [w.dSae], data: w.bEnc },
      W_dec: { dtype, shape: [w.dSae, w.dIn], data: w.wDec },
      b_dec: { dtype, shape: [w.dIn], data: w.bDec },
    },
    { format: 'pt' },
  );
  const cfg: JsonObject = {
    ...(options.extra ?? {}),
    activation: 'topk',
    expansion_factor: Math.max(1, Math.round(w.dSae / w.dIn)),
    normalize_decoder: true,
    // num_latents wins over expansion_factor when non-zero, so any d_sae round-trips.
    num_latents: w.dSae,
    k: w.k,
    multi_topk: false,
    skip_connection: false,
    // sparsify's transcoders encode x without subtracting b_dec, as saekit's do.
    transcode: w.transcoder === true,
    d_in: w.dIn,
    // sparsify drops keys it does not know; saekit reads this back.
    ...(w.foldedInputScale !== undefined
      ? {
          saekit: {
            folded_input_scale: w.foldedInputScale,
            ...(w.foldedTargetScale !== undefined
              ? { folded_target_scale: w.foldedTargetScale }
              : {}),
          },
        }
      : {}),
  };
  await writeFileAtomic(join(dir, CFG), [new TextEncoder().encode(JSON.stringify(cfg))]);
}

export async function loadSparsify(dir: string): Promise<{ weights: SaeWeights; cfg: JsonObject }> {
  const cfgPath = join(dir, CFG);
  const cfg = await readJsonObject(cfgPath);
  const activation = cfg['activation'] ?? 'topk';
  if (activation !== 'topk') {
    throw new FormatError(
      cfgPath,
      `activation '${String(activation)}' is not supported (topk only)`,
    );
  }
  if (cfg['skip_connection'] === true) {
    throw new FormatError(
      cfgPath,
      'skip_connection true is not supported: saekit has no W_skip (linear skip connection)',
    );
  }
  const transcoder = cfg['transcode'] === true;
  const dIn = intField(cfg, 'd_in', cfgPath);
  const numLatents = cfg['num_latents'];
  const dSae =
    typeof numLatents === 'number' && numLatents > 0
      ? intField(cfg, 'num_latents', cfgPath)
      : dIn * intField(cfg, 'expansion_factor', cfgPath);
  const k = intField(cfg, 'k', cfgPath);
  const folded = saekitField(cfg['saekit'], 'folded_input_scale');
  const foldedTarget = saekitField(cfg['saekit'], 'folded_target_scale');
  const file = join(dir, SPARSIFY_WEIGHTS);
  const { tensors } = await readSafetensors(file);
  return {
    cfg,
    weights: {
      architecture: 'topk',
      dIn,
      dSae,
      k,
      wEnc: floatTensor(tensors, 'encoder.weight', [dSae, dIn], file),
      bEnc: floatTensor(tensors, 'encoder.bias', [dSae], file),
      wDec: floatTensor(tensors, 'W_dec', [dSae, dIn], file),
      bDec: floatTensor(tensors, 'b_dec', [dIn], file),
      applyBDecToInput: !transcoder,
      ...(folded !== undefined ? { foldedInputScale: folded } : {}),
      ...(transcoder ? { transcoder: true } : {}),
      ...(transcoder && foldedTarget !== undefined ? { foldedTargetScale: foldedTarget } : {}),
    },
  };
}

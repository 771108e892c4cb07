import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Architecture, ConfigError, type JsonObject, type SaeWeights } from '@saekit/core';
import { FormatError } from '../errors.js';
import { readSafetensors, writeSafetensors } from '../formats/safetensors.js';
import { writeFileAtomic } from '../util/atomic.js';
import {
  floatTensor,
  intField,
  readJsonObject,
  type SaveDtype,
  TORCH_DTYPES,
  transpose,
} from './common.js';

export const SAELENS_WEIGHTS = 'sae_weights.safetensors';
export const SAELENS_SPARSITY = 'sparsity.safetensors';
export const CFG = 'cfg.json';

export interface SaelensSaveOptions {
  /** SAELens `metadata`: model_name, hook_name, hook_layer, context_size, ... */
  readonly metadata?: JsonObject;
  /** log10 firing rate per latent, written as sparsity.safetensors {"sparsity": [d_sae]}. */
  readonly sparsity?: Float32Array;
  readonly dtype?: SaveDtype;
  /** saekit's own keys (training config, input scale folded, version...), kept under cfg.saekit. */
  readonly saekit?: JsonObject;
}

/**
 * Writes the SAELens v6 layout: cfg.json and sae_weights.safetensors with W_enc [d_in, d_sae]
 * (transposed from saekit's latent-major wEnc), W_dec [d_sae, d_in], b_enc, b_dec, and
 * threshold for JumpReLU. BatchTopK is written the way SAELens exports it for inference: as
 * a JumpReLU whose per-latent threshold is the learned one; cfg.saekit remembers it was
 * BatchTopK (and its k) so loadSae gives back the same weights.
 */
export async function saveSaelens(
  dir: string,
  w: SaeWeights,
  options: SaelensSaveOptions = {},
): Promise<void> {
  const dtype = TORCH_DTYPES[options.dtype ?? 'float32'];
  if (dtype === undefined) throw new ConfigError('dtype', `must be float32, float16 or bfloat16`);
  const thresholded = w.architecture === 'jumprelu' || w.architecture === 'batchtopk';
  if (thresholded && w.threshold === undefined) {
    throw new ConfigError('threshold', `${w.architecture} weights need a threshold`);
  }
  if (w.architecture === 'topk' && w.k === undefined)
    throw new ConfigError('k', 'topk weights need k');
  await mkdir(dir, { recursive: true });
  const tensors = {
    W_enc: { dtype, shape: [w.dIn, w.dSae], data: transpose(w.wEnc, w.dSae, w.dIn) },
    W_dec: { dtype, shape: [w.dSae, w.dIn], data: w.wDec },
    b_enc: { dtype, shape: [w.dSae], data: w.bEnc },
    b_dec: { dtype, shape: [w.dIn], data: w.bDec },
    ...(thresholded && w.threshold !== undefined
      ? { threshold: { dtype, shape: [w.dSae], data: w.threshold } }
      : {}),
  };
  await writeSafetensors(join(dir, SAELENS_WEIGHTS), tensors);
  if (options.sparsity !== undefined) {
    if (options.sparsity.length !== w.dSae) {
      throw new ConfigError(
        'sparsity',
        `has ${options.sparsity.length} entries for ${w.dSae} latents`,
      );
    }
    await writeSafetensors(join(dir, SAELENS_SPARSITY), {
      sparsity: { shape: [w.dSae], data: options.sparsity },
    });
  }
  const architecture = w.architecture === 'batchtopk' ? 'jumprelu' : w.architecture;
  const cfg: JsonObject = {
    architecture,
    d_in: w.dIn,
    d_sae: w.dSae,
    dtype: options.dtype ?? 'float32',
    device: 'cpu',
    apply_b_dec_to_input: w.applyBDecToInput,
    // saekit folds any input scaling into the weights before export.
    normalize_activations: 'none',
    reshape_activations: 'none',
    ...(w.architecture === 'topk' ? { k: w.k ?? 0, rescale_acts_by_decoder_norm: false } : {}),
    // SAELens reads configs without sae_lens_version as pre-6.0 and rewrites them; this
    // names the layout version we write (the caller's metadata can say more).
    metadata: { sae_lens_version: '6.0.0', ...(options.metadata ?? {}) },
    saekit: {
      ...(options.saekit ?? {}),
      architecture: w.architecture,
      ...(w.k !== undefined ? { k: w.k } : {}),
      // The weights already work on raw activations; this records the scale that was folded in.
      ...(w.foldedInputScale !== undefined ? { folded_input_scale: w.foldedInputScale } : {}),
    },
  };
  await writeFileAtomic(join(dir, CFG), [
    new TextEncoder().encode(`${JSON.stringify(cfg, null, 2)}\n`),
  ]);
}

export function isSaelensDir(dir: string): boolean {
  return existsSync(join(dir, CFG)) && existsSync(join(dir, SAELENS_WEIGHTS));
}

export interface LoadedSaelens {
  readonly weights: SaeWeights;
  readonly cfg: JsonObject;
  readonly sparsity?: Float32Array;
}

function architectureOf(cfg: JsonObject, file: string): Architecture {
  const saekit = cfg['saekit'];
  const declared =
    typeof cfg['architecture'] === 'string'
      ? cfg['architecture']
      : // SAELens < 6 had no architecture; Top-K was an activation function.
        cfg['activation_fn_str'] === 'topk' || cfg['activation_fn'] === 'topk'
        ? 'topk'
        : 'standard';
  if (
    declared === 'jumprelu' &&
    typeof saekit === 'object' &&
    saekit !== null &&
    !Array.isArray(saekit) &&
    saekit['architecture'] === 'batchtopk'
  ) {
    return 'batchtopk';
  }
  if (
    declared === 'topk' ||
    declared === 'jumprelu' ||
    declared === 'standard' ||
    declared === 'batchtopk'
  ) {
    return declared;
  }
  throw new FormatError(
    file,
    `architecture '${declared}' is not supported (topk, batchtopk, jumprelu, standard)`,
  );
}

/** A number from cfg.saekit, if both are there. */
export function saekitField(saekit: unknown, key: string): number | undefined {
  if (typeof saekit !== 'object' || saekit === null || Array.isArray(saekit)) return undefined;
  const v = (saekit as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export async function loadSaelens(dir: string): Promise<LoadedSaelens> {
  const cfgPath = join(dir, CFG);
  const cfg = await readJsonObject(cfgPath);
  const architecture = architectureOf(cfg, cfgPath);
  const dIn = intField(cfg, 'd_in', cfgPath);
  const dSae = intField(cfg, 'd_sae', cfgPath);
  const norm = cfg['normalize_activations'];
  if (norm !== undefined && norm !== 'none' && norm !== null && norm !== false) {
    throw new FormatError(
      cfgPath,
      `normalize_activations '${String(norm)}' is not supported: fold the scaling into the weights first`,
    );
  }
  if (cfg['rescale_acts_by_decoder_norm'] === true) {
    throw new FormatError(cfgPath, 'rescale_acts_by_decoder_norm true is not supported');
  }
  let k: number | undefined;
  const saekit = cfg['saekit'];
  if (architecture === 'topk') {
    const kwargs = cfg['activation_fn_kwargs'];
    const fromKwargs =
      typeof kwargs === 'object' && kwargs !== null && !Array.isArray(kwargs)
        ? kwargs['k']
        : undefined;
    k = intField({ k: cfg['k'] ?? fromKwargs ?? null }, 'k', cfgPath);
  } else if (architecture === 'batchtopk') {
    k = saekitField(saekit, 'k');
  }
  const folded = saekitField(saekit, 'folded_input_scale');
  const file = join(dir, SAELENS_WEIGHTS);
  const { tensors } = await readSafetensors(file);
  const wEncIn = floatTensor(tensors, 'W_enc', [dIn, dSae], file);
  let threshold: Float32Array | undefined;
  if (architecture === 'jumprelu' || architecture === 'batchtopk') {
    if (tensors['threshold'] === undefined && tensors['log_threshold'] !== undefined) {
      threshold = floatTensor(tensors, 'log_threshold', [dSae], file).map(Math.exp);
    } else {
      threshold = floatTensor(tensors, 'threshold', [dSae], file);
    }
  }
  const weights: SaeWeights = {
    architecture,
    dIn,
    dSae,
    ...(k !== undefined ? { k } : {}),
    wEnc: transpose(wEncIn, dIn, dSae),
    wDec: floatTensor(tensors, 'W_dec', [dSae, dIn], file),
    bEnc: floatTensor(tensors, 'b_enc', [dSae], file),
    bDec: floatTensor(tensors, 'b_dec', [dIn], file),
    ...(threshold !== undefined ? { threshold } : {}),
    applyBDecToInput: cfg['apply_b_dec_to_input'] !== false,
    ...(folded !== undefined ? { foldedInputScale: folded } : {}),
  };
  const sparsityPath = join(dir, SAELENS_SPARSITY);
  if (existsSync(sparsityPath)) {
    const s = await readSafetensors(sparsityPath);
    const name = s.tensors['sparsity'] !== undefined ? 'sparsity' : Object.keys(s.tensors)[0];
    return {
      weights,
      cfg,
      sparsity: floatTensor(s.tensors, name ?? 'sparsity', [dSae], sparsityPath),
    };
  }
  return { weights, cfg };
}

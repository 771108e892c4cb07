import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type JsonObject, type SaeWeights } from '@saekit/core';
import { FormatError } from '../errors.js';
import { readSafetensors, writeSafetensors } from '../formats/safetensors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { floatTensor, readJsonObject, type SaveDtype, TORCH_DTYPES, transpose } from './common.js';
import { interpretSaelensCfg } from './saelens-cfg.js';

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
  const architecture = saelensArchitecture(w);
  const cfg: JsonObject = {
    architecture,
    d_in: w.dIn,
    ...(w.transcoder === true ? { d_out: w.dIn } : {}),
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
      ...(w.matryoshkaWidths !== undefined ? { matryoshka_widths: [...w.matryoshkaWidths] } : {}),
      ...(w.transcoder === true ? { transcoder: true } : {}),
      ...(w.foldedTargetScale !== undefined ? { folded_target_scale: w.foldedTargetScale } : {}),
    },
  };
  await writeFileAtomic(join(dir, CFG), [
    new TextEncoder().encode(`${JSON.stringify(cfg, null, 2)}\n`),
  ]);
}

/**
 * The SAELens `architecture` an SAE runs as. BatchTopK runs as a JumpReLU with its learned
 * threshold. Transcoders take SAELens's transcoder classes: `transcoder` (ReLU) and
 * `jumprelu_transcoder`. SAELens has no Top-K transcoder: one is written as `topk` with
 * apply_b_dec_to_input false (and d_out), which SAELens's TopKSAE runs as the same function
 * (topk(x·W_enc + b_enc)·W_dec + b_dec); cfg.saekit.transcoder marks it.
 */
function saelensArchitecture(w: SaeWeights): string {
  const arch = w.architecture === 'batchtopk' ? 'jumprelu' : w.architecture;
  if (w.transcoder !== true || arch === 'topk') return arch;
  return arch === 'standard' ? 'transcoder' : 'jumprelu_transcoder';
}

export function isSaelensDir(dir: string): boolean {
  return existsSync(join(dir, CFG)) && existsSync(join(dir, SAELENS_WEIGHTS));
}

export interface LoadedSaelens {
  readonly weights: SaeWeights;
  readonly cfg: JsonObject;
  readonly metadata: JsonObject;
  readonly notes: readonly string[];
  readonly sparsity?: Float32Array;
}

/** cfg.saekit.matryoshka_widths, when it is a valid list of prefix sizes ending at dSae. */
function matryoshkaWidthsOf(saekit: unknown, dSae: number): { matryoshkaWidths?: number[] } {
  if (typeof saekit !== 'object' || saekit === null || Array.isArray(saekit)) return {};
  const v = (saekit as Record<string, unknown>)['matryoshka_widths'];
  if (!Array.isArray(v) || v.length === 0 || v[v.length - 1] !== dSae) return {};
  const ok = v.every((w, i) => Number.isInteger(w) && w >= 1 && (i === 0 || w > v[i - 1]));
  return ok ? { matryoshkaWidths: v as number[] } : {};
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
  const c = interpretSaelensCfg(cfg, cfgPath);
  const { architecture, dIn, dSae } = c;
  const notes = [...c.notes];
  const folded = saekitField(cfg['saekit'], 'folded_input_scale');
  const foldedTarget = saekitField(cfg['saekit'], 'folded_target_scale');
  const file = join(dir, SAELENS_WEIGHTS);
  const { tensors } = await readSafetensors(file);
  const thresholded = architecture === 'jumprelu' || architecture === 'batchtopk';
  // SAELens loads state dicts strictly: a tensor this architecture has no use for means the
  // file is not what its cfg says, and ignoring it would compute something else.
  const known = new Set(['W_enc', 'W_dec', 'b_enc', 'b_dec', 'scaling_factor']);
  const logThreshold = tensors['threshold'] === undefined && tensors['log_threshold'] !== undefined;
  if (thresholded) known.add(logThreshold ? 'log_threshold' : 'threshold');
  const unknown = Object.keys(tensors).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new FormatError(
      file,
      `tensor${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} ` +
        `not used by a ${architecture} SAE (SAELens refuses ${unknown.length > 1 ? 'them' : 'it'} too)`,
    );
  }
  let wEnc = transpose(floatTensor(tensors, 'W_enc', [dIn, dSae], file), dIn, dSae);
  let bEnc = floatTensor(tensors, 'b_enc', [dSae], file);
  let wDec = floatTensor(tensors, 'W_dec', [dSae, dIn], file);
  let threshold: Float32Array | undefined;
  if (thresholded) {
    threshold = logThreshold
      ? floatTensor(tensors, 'log_threshold', [dSae], file).map(Math.exp)
      : floatTensor(tensors, 'threshold', [dSae], file);
  }
  if (tensors['scaling_factor'] !== undefined) {
    const scale = floatTensor(tensors, 'scaling_factor', [dSae], file);
    // SAELens drops an all-ones scaling_factor (torch.allclose tolerance).
    if (scale.some((s) => Math.abs(s - 1) > 1e-5)) {
      if (!c.finetuningScalingFactor) {
        throw new FormatError(
          file,
          "tensor 'scaling_factor' is not all ones but the cfg's finetuning_scaling_factor is not true",
        );
      }
      // The code is scaled before decoding: the same as scaling each decoder row.
      wDec = scaleRows(wDec, dIn, scale);
      notes.push(`${file}: folded the finetuning scaling_factor into W_dec`);
    }
  }
  if (c.rescaleActsByDecoderNorm) {
    ({ wEnc, bEnc, wDec } = foldDecoderNorms(wEnc, bEnc, wDec, dIn, file, notes));
  }
  const weights: SaeWeights = {
    architecture,
    dIn,
    dSae,
    ...(c.k !== undefined ? { k: c.k } : {}),
    wEnc,
    wDec,
    bEnc,
    bDec: floatTensor(tensors, 'b_dec', [dIn], file),
    ...(threshold !== undefined ? { threshold } : {}),
    applyBDecToInput: c.applyBDecToInput,
    ...(folded !== undefined ? { foldedInputScale: folded } : {}),
    ...matryoshkaWidthsOf(cfg['saekit'], dSae),
    ...(c.transcoder ? { transcoder: true } : {}),
    ...(c.transcoder && foldedTarget !== undefined ? { foldedTargetScale: foldedTarget } : {}),
  };
  const base = { weights, cfg, metadata: c.metadata, notes };
  const sparsityPath = join(dir, SAELENS_SPARSITY);
  if (existsSync(sparsityPath)) {
    const s = await readSafetensors(sparsityPath);
    const name = s.tensors['sparsity'] !== undefined ? 'sparsity' : Object.keys(s.tensors)[0];
    return {
      ...base,
      sparsity: floatTensor(s.tensors, name ?? 'sparsity', [dSae], sparsityPath),
    };
  }
  return base;
}

/** Row i of a [rows, cols] matrix times factor[i], as a new array. */
function scaleRows(m: Float32Array, cols: number, factor: ArrayLike<number>): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < factor.length; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = m[r * cols + c] * factor[r];
  }
  return out;
}

/**
 * SAELens's rescale_acts_by_decoder_norm: pre-activations are multiplied by each latent's
 * decoder norm n and the code decodes through W_dec / n. Folding n into the encoder row and
 * bias and dividing it out of the decoder row is the same function with unit decoder rows.
 * SAELens folds this way at its final save, so a folded file (all norms 1) is kept as is.
 */
function foldDecoderNorms(
  wEnc: Float32Array,
  bEnc: Float32Array,
  wDec: Float32Array,
  dIn: number,
  file: string,
  notes: string[],
): { wEnc: Float32Array; bEnc: Float32Array; wDec: Float32Array } {
  const norms = new Float64Array(bEnc.length);
  let unit = true;
  for (let i = 0; i < norms.length; i++) {
    let s = 0;
    for (let j = 0; j < dIn; j++) s += wDec[i * dIn + j] ** 2;
    norms[i] = Math.sqrt(s);
    if (!(norms[i] > 0) || !Number.isFinite(norms[i])) {
      throw new FormatError(
        file,
        `rescale_acts_by_decoder_norm is set but W_dec row ${i} has norm ${norms[i]}`,
      );
    }
    // float32 rows normalised by torch land within a few ulps of 1.
    if (Math.abs(norms[i] - 1) > 1e-5) unit = false;
  }
  if (unit) return { wEnc, bEnc, wDec };
  notes.push(
    `${file}: rescale_acts_by_decoder_norm with non-unit decoder rows: folded the norms into W_enc and b_enc`,
  );
  return {
    wEnc: scaleRows(wEnc, dIn, norms),
    bEnc: bEnc.map((b, i) => b * norms[i]),
    wDec: scaleRows(
      wDec,
      dIn,
      Array.from(norms, (n) => 1 / n),
    ),
  };
}

import type { Architecture, JsonObject } from '@saekit/core';
import { FormatError } from '../errors.js';
import { intField } from './common.js';

/**
 * What a SAELens cfg.json means, read the way SAELens 6 reads it: configs written before 6.0
 * (no `metadata` object and no `sae_lens_version` ≥ 6) get the renames and defaults of its
 * pre-6 handling (activation_fn_str → activation_fn, hook_point → hook_name, architecture
 * "standard" unless given, a "standard" SAE whose activation is topk becomes Top-K); v6
 * configs must name their architecture.
 */
export interface SaelensCfg {
  readonly architecture: Architecture;
  readonly dIn: number;
  readonly dSae: number;
  readonly k?: number;
  readonly applyBDecToInput: boolean;
  /**
   * A transcoder: SAELens's `transcoder` / `jumprelu_transcoder` classes, or a `topk` cfg
   * with d_out (how saekit writes a Top-K transcoder). Only d_out = d_in is supported.
   */
  readonly transcoder: boolean;
  /** SAELens ≥ 6.14 TopK: pre-activations are scaled by each latent's decoder norm. */
  readonly rescaleActsByDecoderNorm: boolean;
  /** SAELens < 6: a `scaling_factor` tensor multiplies the code before decoding. */
  readonly finetuningScalingFactor: boolean;
  /** The training context: cfg.metadata over the keys older configs kept at the top level. */
  readonly metadata: JsonObject;
  /** How the cfg was reinterpreted, for the user (empty when read as written). */
  readonly notes: readonly string[];
}

/** Training-context keys SAELens moves from the top level of a cfg into `metadata`. */
const METADATA_KEYS = [
  'model_name',
  'model_class_name',
  'hook_name',
  'hook_name_out',
  'hook_layer',
  'hook_head_index',
  'context_size',
  'prepend_bos',
  'dataset_path',
  'dataset_trust_remote_code',
  'model_from_pretrained_kwargs',
  'seqpos_slice',
  'exclude_special_tokens',
  'sae_lens_training_version',
  'neuronpedia_id',
] as const;

/** Pre-6 key names and their v6 spelling. */
const RENAMED: Readonly<Record<string, string>> = {
  hook_point: 'hook_name',
  hook_point_layer: 'hook_layer',
  hook_point_head_index: 'hook_head_index',
  activation_fn_str: 'activation_fn',
};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Major version of a "6.18.0"-style string, or undefined. */
function majorOf(version: unknown): number | undefined {
  if (typeof version !== 'string') return undefined;
  const m = /^(\d+)\./.exec(version);
  return m === null ? undefined : Number(m[1]);
}

export function interpretSaelensCfg(raw: JsonObject, file: string): SaelensCfg {
  const notes: string[] = [];
  const declaredMetadata = isObject(raw['metadata']) ? raw['metadata'] : undefined;
  const version = majorOf(raw['sae_lens_version'] ?? declaredMetadata?.['sae_lens_version']);
  // saekit and SAELens ≥ 6 always write `metadata`; SAELens < 6 never did.
  const legacy = declaredMetadata === undefined && (version === undefined || version < 6);
  const cfg: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) cfg[legacy ? (RENAMED[key] ?? key) : key] = value;

  let architecture = cfg['architecture'];
  if (architecture === undefined) {
    if (!legacy) {
      throw new FormatError(
        file,
        "SAELens ≥ 6 cfg has no 'architecture' (topk, batchtopk, jumprelu or standard)",
      );
    }
    architecture = 'standard';
  }
  const activation = cfg['activation_fn'] ?? (legacy ? 'relu' : undefined);
  if (architecture === 'standard' && activation === 'topk') {
    architecture = 'topk';
    notes.push(`${file}: SAELens < 6 'standard' SAE with activation_fn topk, read as Top-K`);
  } else if (architecture === 'standard' && activation !== undefined && activation !== 'relu') {
    throw new FormatError(
      file,
      `activation_fn '${String(activation)}' is not supported (relu or topk)`,
    );
  }
  const saekit = cfg['saekit'];
  // SAELens's transcoder classes: the SAE architecture they compute, plus the transcoder flag.
  let transcoder =
    cfg['d_out'] !== undefined || (isObject(saekit) && saekit['transcoder'] === true);
  if (architecture === 'transcoder' || architecture === 'jumprelu_transcoder') {
    architecture = architecture === 'transcoder' ? 'standard' : 'jumprelu';
    transcoder = true;
  } else if (architecture === 'skip_transcoder') {
    throw new FormatError(
      file,
      "architecture 'skip_transcoder' is not supported: saekit's transcoders have no W_skip (linear skip connection)",
    );
  }
  if (architecture === 'jumprelu' && isObject(saekit) && saekit['architecture'] === 'batchtopk') {
    architecture = 'batchtopk';
  }
  if (
    architecture !== 'topk' &&
    architecture !== 'jumprelu' &&
    architecture !== 'standard' &&
    architecture !== 'batchtopk'
  ) {
    throw new FormatError(
      file,
      `architecture '${String(architecture)}' is not supported (topk, batchtopk, jumprelu, standard)`,
    );
  }

  const norm = cfg['normalize_activations'];
  if (norm !== undefined && norm !== 'none' && norm !== null && norm !== false) {
    throw new FormatError(
      file,
      `normalize_activations '${String(norm)}' is not supported: fold the scaling into the weights first`,
    );
  }
  const rescale = cfg['rescale_acts_by_decoder_norm'] === true;
  if (rescale && architecture !== 'topk') {
    throw new FormatError(
      file,
      `rescale_acts_by_decoder_norm is a Top-K setting; a ${architecture} SAE with it set is not supported`,
    );
  }

  let k: number | undefined;
  if (architecture === 'topk') {
    const kwargs = cfg['activation_fn_kwargs'];
    const fromKwargs = isObject(kwargs) ? kwargs['k'] : undefined;
    k = intField({ k: cfg['k'] ?? fromKwargs ?? null }, 'k', file);
  } else if (architecture === 'batchtopk' && isObject(saekit)) {
    const v = saekit['k'];
    if (typeof v === 'number' && Number.isFinite(v)) k = v;
  }

  const metadata: JsonObject = {};
  for (const key of METADATA_KEYS) {
    const v = cfg[key];
    if (v !== undefined) metadata[key] = v;
  }
  Object.assign(metadata, declaredMetadata ?? {});

  const dIn = intField(cfg, 'd_in', file);
  if (transcoder) {
    const dOut = cfg['d_out'] === undefined ? dIn : intField(cfg, 'd_out', file);
    if (dOut !== dIn) {
      throw new FormatError(
        file,
        `transcoder with d_out ${dOut} ≠ d_in ${dIn} is not supported yet (saekit's transcoders predict a target of the input's width)`,
      );
    }
    if (cfg['apply_b_dec_to_input'] === true) {
      throw new FormatError(
        file,
        'apply_b_dec_to_input true on a transcoder: b_dec is in the output space (SAELens refuses it too)',
      );
    }
  }
  return {
    architecture,
    transcoder,
    dIn,
    dSae: intField(cfg, 'd_sae', file),
    ...(k !== undefined ? { k } : {}),
    // SAELens's transcoder configs default apply_b_dec_to_input to false (they refuse true).
    applyBDecToInput: transcoder ? false : cfg['apply_b_dec_to_input'] !== false,
    rescaleActsByDecoderNorm: rescale,
    finetuningScalingFactor: cfg['finetuning_scaling_factor'] === true,
    metadata,
    notes,
  };
}

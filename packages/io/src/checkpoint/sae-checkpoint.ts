import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError, type JsonObject, type SaeWeights } from '@saekit/core';
import { FormatError } from '../errors.js';
import type { SaveDtype } from './common.js';
import { GEMMA_SCOPE_PARAMS, loadGemmaScope, saveGemmaScope } from './gemma-scope.js';
import { isSaelensDir, loadSaelens, saveSaelens } from './saelens.js';
import { isSparsifyDir, loadSparsify, saveSparsify } from './sparsify.js';

export type SaeFormat = 'saelens' | 'sparsify' | 'gemma-scope';

export interface SaveSaeOptions {
  /** Default 'saelens' (saekit's own format). */
  readonly format?: SaeFormat;
  /** SAELens cfg `metadata` (model_name, hook_name, ...); ignored by the other formats. */
  readonly metadata?: JsonObject;
  /** log10 firing rate per latent (SAELens sparsity.safetensors). */
  readonly sparsity?: Float32Array;
  /** On-disk float precision (saelens, sparsify). Default float32, the only exact one. */
  readonly dtype?: SaveDtype;
  /** saekit's own cfg keys (training config, scale folded, version), kept under cfg.saekit. */
  readonly saekit?: JsonObject;
}

export interface LoadedSae {
  readonly weights: SaeWeights;
  readonly format: SaeFormat;
  /** The checkpoint's configuration as stored (cfg.json; synthesized for Gemma Scope). */
  readonly cfg: JsonObject;
  /** log10 firing rates when the checkpoint has them (SAELens sparsity.safetensors). */
  readonly sparsity?: Float32Array;
}

/**
 * Saves an SAE. `dir` is a folder for saelens and sparsify; for gemma-scope it is a folder
 * (params.npz is written inside) or a path ending in .npz. Every file is written atomically.
 */
export async function saveSae(
  dir: string,
  weights: SaeWeights,
  options: SaveSaeOptions = {},
): Promise<void> {
  const format = options.format ?? 'saelens';
  if (format === 'saelens') await saveSaelens(dir, weights, options);
  else if (format === 'sparsify') await saveSparsify(dir, weights, { dtype: options.dtype });
  else if (format === 'gemma-scope') {
    await saveGemmaScope(dir.endsWith('.npz') ? dir : join(dir, GEMMA_SCOPE_PARAMS), weights);
  } else throw new ConfigError('format', `unknown SAE format '${String(format)}'`);
}

/**
 * Loads an SAE, recognising the layout: a SAELens folder (cfg.json + sae_weights.safetensors),
 * a sparsify folder (cfg.json + sae.safetensors) or Gemma Scope's params.npz (the file or a
 * folder holding it). A path to a file inside a folder means that folder.
 */
export async function loadSae(path: string): Promise<LoadedSae> {
  if (!existsSync(path)) throw new FormatError(path, 'no such file or directory');
  if (path.endsWith('.npz')) return { ...(await loadGemmaScope(path)), format: 'gemma-scope' };
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  if (isSaelensDir(dir)) return { ...(await loadSaelens(dir)), format: 'saelens' };
  if (isSparsifyDir(dir)) return { ...(await loadSparsify(dir)), format: 'sparsify' };
  const npz = join(dir, GEMMA_SCOPE_PARAMS);
  if (existsSync(npz)) return { ...(await loadGemmaScope(npz)), format: 'gemma-scope' };
  const found = (await readdir(dir)).join(', ') || 'nothing';
  throw new FormatError(
    dir === path ? dir : `${dir} (from ${basename(path)})`,
    `not an SAE checkpoint: expected cfg.json with sae_weights.safetensors (SAELens) or sae.safetensors (sparsify), or params.npz (Gemma Scope); found ${found}`,
  );
}

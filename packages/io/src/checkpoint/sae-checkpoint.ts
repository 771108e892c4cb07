import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError, type JsonObject, type SaeWeights } from '@saekit/core';
import { FormatError } from '../errors.js';
import { fetchSaeFromHub, type HubOptions, isHubUri } from '../hub/hub.js';
import type { SaveDtype } from './common.js';
import { formatRefusal, type SaeFormat } from './format-refusal.js';
import { GEMMA_SCOPE_PARAMS, loadGemmaScope, saveGemmaScope } from './gemma-scope.js';
import { isSaelensDir, loadSaelens, saveSaelens } from './saelens.js';
import { isSparsifyDir, loadSparsify, saveSparsify } from './sparsify.js';

export type { SaeFormat } from './format-refusal.js';

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
  /**
   * The training context (model_name, hook_name, ...): SAELens cfg.metadata over the keys
   * older configs kept at the top level; empty for the other formats.
   */
  readonly metadata: JsonObject;
  /** How the checkpoint was reinterpreted to mean what its format means (for the user). */
  readonly notes: readonly string[];
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
  const refusal = formatRefusal(format, weights);
  if (refusal !== null) throw new ConfigError('format', refusal);
  if (format === 'saelens') await saveSaelens(dir, weights, options);
  else if (format === 'sparsify') await saveSparsify(dir, weights, { dtype: options.dtype });
  else if (format === 'gemma-scope') {
    await saveGemmaScope(dir.endsWith('.npz') ? dir : join(dir, GEMMA_SCOPE_PARAMS), weights);
  } else throw new ConfigError('format', `unknown SAE format '${String(format)}'`);
}

export interface LoadSaeOptions {
  /**
   * A run folder holding one checkpoint per hookpoint (sparsify writes `layers.N/`): the
   * sub-folder to load.
   */
  readonly hookpoint?: string;
  /** For hf:// addresses: endpoint, token, cache and offline mode (default: the HF_* variables). */
  readonly hub?: HubOptions;
}

/**
 * Loads an SAE, recognising the layout: a SAELens folder (cfg.json + sae_weights.safetensors),
 * a sparsify folder (cfg.json + sae.safetensors) or Gemma Scope's params.npz (the file or a
 * folder holding it). A path to a file inside a folder means that folder. A folder of such
 * folders (a sparsify run with several hookpoints) needs `hookpoint` unless it holds one.
 */
export async function loadSae(path: string, options: LoadSaeOptions = {}): Promise<LoadedSae> {
  if (isHubUri(path)) {
    const at =
      options.hookpoint === undefined ? path : `${path.replace(/\/+$/, '')}/${options.hookpoint}`;
    return loadSae(await fetchSaeFromHub(at, options.hub));
  }
  if (!existsSync(path)) throw new FormatError(path, 'no such file or directory');
  if (options.hookpoint !== undefined) {
    const sub = join(path, options.hookpoint);
    if (!existsSync(sub)) {
      const found = await checkpointFolders(path);
      throw new FormatError(
        path,
        `no hookpoint '${options.hookpoint}' here (hookpoints: ${found.join(', ') || 'none'})`,
      );
    }
    return loadSae(sub);
  }
  if (path.endsWith('.npz')) {
    return { ...(await loadGemmaScope(path)), metadata: {}, notes: [], format: 'gemma-scope' };
  }
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  if (isSaelensDir(dir)) return { ...(await loadSaelens(dir)), format: 'saelens' };
  if (isSparsifyDir(dir)) {
    return { ...(await loadSparsify(dir)), metadata: {}, notes: [], format: 'sparsify' };
  }
  const npz = join(dir, GEMMA_SCOPE_PARAMS);
  if (existsSync(npz)) {
    return { ...(await loadGemmaScope(npz)), metadata: {}, notes: [], format: 'gemma-scope' };
  }
  const hookpoints = dir === path ? await checkpointFolders(dir) : [];
  if (hookpoints.length === 1) return loadSae(join(dir, hookpoints[0]));
  if (hookpoints.length > 1) {
    throw new FormatError(
      dir,
      `holds one checkpoint per hookpoint (${hookpoints.join(', ')}); pick one with hookpoint (--hookpoint)`,
    );
  }
  const found = (await readdir(dir)).join(', ') || 'nothing';
  throw new FormatError(
    dir === path ? dir : `${dir} (from ${basename(path)})`,
    `not an SAE checkpoint: expected cfg.json with sae_weights.safetensors (SAELens) or sae.safetensors (sparsify), or params.npz (Gemma Scope); found ${found}`,
  );
}

/** Sub-folders of `dir` that are checkpoints (sparsify names them after hookpoints). */
async function checkpointFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .filter((name) => {
      const sub = join(dir, name);
      return isSaelensDir(sub) || isSparsifyDir(sub) || existsSync(join(sub, GEMMA_SCOPE_PARAMS));
    })
    .sort();
}

import { type Backend, Sae, type SaeOptions } from '@saekit/core';
import { type LoadSaeOptions, loadSae } from './sae-checkpoint.js';

/**
 * An SAE ready to encode and decode on `backend`, from any supported checkpoint: a
 * SAELens / saekit folder, a sparsify folder, Gemma Scope's params.npz, or an
 * `hf://ORG/REPO/PATH` address of any of them (downloaded once into the local cache):
 *
 *     const sae = await openSae('hf://google/gemma-scope-2b-pt-res/layer_12/width_16k/average_l0_82', backend);
 *
 * SAELens's `SAE.load_from_disk` / `SAE.from_pretrained` in one call. The caller owns the
 * SAE (`sae.dispose()`) and the backend.
 */
export async function openSae(
  source: string,
  backend: Backend,
  options: LoadSaeOptions & { readonly sae?: SaeOptions } = {},
): Promise<Sae> {
  const { weights } = await loadSae(source, options);
  return Sae.fromWeights(backend, weights, options.sae ?? {});
}

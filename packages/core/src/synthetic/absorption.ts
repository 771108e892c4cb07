import { ShapeError } from '../errors.js';
import type { Sae } from '../sae/sae.js';
import { featureRecovery } from './recovery.js';

export interface FeatureAbsorption {
  /**
   * Mean over parents of: among the tokens where the parent fires together with one of its
   * children, the fraction on which the parent's latent does not fire. 0 = no absorption.
   */
  readonly absorption: number;
  /** The same miss rate on tokens where the parent fires alone (the baseline). */
  readonly parentAloneMiss: number;
  /** Per parent: its absorption rate (NaN when no token had it with a child). */
  readonly perParent: Float64Array;
  /** Per parent: the latent whose decoder row is closest to it, and that cosine. */
  readonly parentLatent: Int32Array;
  readonly parentCosine: Float64Array;
}

/**
 * Feature absorption (Chanin et al. 2024, "A is for Absorption") on synthetic data with a
 * hierarchy (`SyntheticActivations` with `hierarchy`): a parent latent is absorbed when it
 * stays silent on tokens where its parent feature is present, because a child's latent has
 * taken the parent's direction into its own decoder row. Each parent is matched to the latent
 * with the most similar decoder row; the measure is how often that latent misses the parent
 * when a child fires too. `coefficients` [rows, nFeatures] are the true feature values that
 * made `activations` [rows, dIn] (see `SyntheticActivations.sample`).
 */
export async function featureAbsorption(
  sae: Sae,
  dictionary: Float32Array,
  children: readonly (readonly number[])[],
  activations: Float32Array,
  coefficients: Float32Array,
): Promise<FeatureAbsorption> {
  const d = sae.dIn;
  const nFeatures = dictionary.length / d;
  const rows = activations.length / d;
  if (!Number.isInteger(rows) || coefficients.length !== rows * nFeatures) {
    throw new ShapeError(
      `featureAbsorption: activations [${rows}, ${d}] and coefficients (${coefficients.length} values) disagree with nFeatures = ${nFeatures}`,
    );
  }
  const parents = children.length;
  const { bestLatent, maxCosine } = featureRecovery(
    (await sae.toWeights()).wDec,
    dictionary.subarray(0, parents * d),
    d,
  );
  const code = await sae.encodeHost(activations, rows);
  const fires = (r: number, latent: number) => {
    for (let j = 0; j < code.width; j++) {
      if (code.indices[r * code.width + j] === latent) return true;
    }
    return false;
  };
  const perParent = new Float64Array(parents);
  let absorbed = 0;
  let counted = 0;
  let aloneMiss = 0;
  let alone = 0;
  for (let p = 0; p < parents; p++) {
    let withChild = 0;
    let missed = 0;
    for (let r = 0; r < rows; r++) {
      const c = r * nFeatures;
      if (coefficients[c + p] === 0) continue;
      const child = children[p].some((f) => coefficients[c + f] !== 0);
      const hit = fires(r, bestLatent[p]);
      if (child) {
        withChild++;
        if (!hit) missed++;
      } else {
        alone++;
        if (!hit) aloneMiss++;
      }
    }
    perParent[p] = withChild > 0 ? missed / withChild : Number.NaN;
    if (withChild > 0) {
      absorbed += perParent[p];
      counted++;
    }
  }
  return {
    absorption: counted > 0 ? absorbed / counted : Number.NaN,
    parentAloneMiss: alone > 0 ? aloneMiss / alone : Number.NaN,
    perParent,
    parentLatent: Int32Array.from(bestLatent),
    parentCosine: Float64Array.from(maxCosine),
  };
}

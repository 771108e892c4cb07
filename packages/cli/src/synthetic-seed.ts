/**
 * The seed the CLI gives the synthetic generator for a user's --seed. The trainer draws its
 * initial W_enc from the same kind of generator in the same order as the synthetic data draws
 * its dictionary, so with equal seeds the SAE would start on the true features and "recover"
 * them for free. A fixed odd offset keeps the two streams unrelated.
 */
export function syntheticSeed(seed: number): number {
  return (seed + 0x9e3779b1) >>> 0;
}

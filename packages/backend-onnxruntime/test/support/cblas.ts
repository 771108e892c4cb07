import { cblasCandidates, loadCblas } from '../../src/gemm/cblas.js';

/**
 * Whether a CBLAS library loads here. CI installs OpenBLAS (.ci/run), so there its absence
 * fails the CBLAS tests instead of skipping them; elsewhere they skip with this reason.
 */
export function cblasAvailability(): { ok: true } | { ok: false; reason: string } {
  const found = loadCblas(cblasCandidates());
  if ('sgemm' in found) return { ok: true };
  const reason = `no CBLAS library loads (${found.reasons.join('; ') || 'none known here'}); Debian: apt-get install libopenblas0-pthread`;
  if (process.env.CI === 'true') throw new Error(`CI must test the CBLAS path: ${reason}`);
  console.warn(`skipping the CBLAS variant: ${reason}`);
  return { ok: false, reason };
}

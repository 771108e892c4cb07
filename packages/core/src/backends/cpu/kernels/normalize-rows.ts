import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/** weight[i] /= ‖weight[i]‖ for every row with a non-zero norm, in place (norm in float64). */
export function normalizeRows(ctx: CpuContext, weight: Tensor): void {
  const w = ctx.f32(weight);
  const [m, d] = matrix(weight);
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let r = 0; r < m; r++) {
    const base = r * d;
    let ss = 0;
    for (let c = 0; c < d; c++) ss += w[base + c] * w[base + c];
    if (!(ss > 0)) continue;
    const norm = Math.sqrt(ss);
    for (let c = 0; c < d; c++) w[base + c] /= norm;
  }
}

import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i], in place (weight rows are unit vectors). */
export function removeParallel(ctx: CpuContext, grad: Tensor, weight: Tensor): void {
  const g = ctx.f32(grad);
  const w = ctx.f32(weight);
  const [m, d] = matrix(grad);
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let r = 0; r < m; r++) {
    const base = r * d;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += g[base + c] * w[base + c];
    for (let c = 0; c < d; c++) g[base + c] -= dot * w[base + c];
  }
}

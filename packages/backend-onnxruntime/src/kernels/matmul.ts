import { asMatrix, type MatmulOptions, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * out = alpha · op(a) · op(b) + bias [+ out]: one ONNX Gemm (MLAS) per shape and option set,
 * its output fetched into out's own memory, so nothing of size [M, N] is allocated or copied.
 * `accumulate` feeds out as Gemm's C with beta = 1 (ORT copies C into Y first, a no-op when
 * they are the same memory); with both bias and accumulate the bias row is added after.
 */
export function matmul(
  ctx: OrtContext,
  out: Tensor,
  a: Tensor,
  b: Tensor,
  options: MatmulOptions = {},
): void {
  const tA = options.transA === true;
  const tB = options.transB === true;
  const [ar, ac] = asMatrix(a);
  const [br, bc] = asMatrix(b);
  const [M, K] = tA ? [ac, ar] : [ar, ac];
  const N = tB ? br : bc;
  const alpha = options.alpha ?? 1;
  const acc = options.accumulate === true;
  const bias = options.bias;
  const o = ctx.f32(out);
  if (M === 0 || N === 0 || K === 0) {
    // ORT refuses empty operands; the product is empty or zero.
    ctx.reference.matmul(out, a, b, options);
    return;
  }
  const c: Float32Array | undefined = acc ? o : bias === undefined ? undefined : ctx.f32(bias);
  const key = `gemm ${ar}x${ac} ${br}x${bc} ${tA ? 1 : 0}${tB ? 1 : 0} ${alpha} ${c === undefined ? '-' : acc ? 'acc' : 'bias'}`;
  const session = ctx.sessions.get(key, () => ({
    nodes: [
      {
        op: 'Gemm',
        inputs: c === undefined ? ['A', 'B'] : ['A', 'B', 'C'],
        outputs: ['Y'],
        attrs: { transA: tA ? 1 : 0, transB: tB ? 1 : 0, alpha: { float: alpha } },
      },
    ],
    inputs: [
      { name: 'A', type: 'float', dims: [ar, ac] },
      { name: 'B', type: 'float', dims: [br, bc] },
      ...(c === undefined ? [] : [{ name: 'C', type: 'float' as const, dims: acc ? [M, N] : [N] }]),
    ],
    outputs: [{ name: 'Y', type: 'float', dims: [M, N] }],
  }));
  const T = ctx.ort.Tensor;
  const feeds: Record<string, InstanceType<typeof T>> = {
    A: new T('float32', ctx.f32(a), [ar, ac]),
    B: new T('float32', ctx.f32(b), [br, bc]),
  };
  if (c !== undefined) feeds.C = new T('float32', c, acc ? [M, N] : [N]);
  session.run(feeds, { Y: new T('float32', o, [M, N]) }, {});
  if (acc && bias !== undefined) {
    const bv = ctx.f32(bias);
    for (let r = 0; r < M; r++) {
      const base = r * N;
      for (let j = 0; j < N; j++) o[base + j] += bv[j];
    }
  }
}

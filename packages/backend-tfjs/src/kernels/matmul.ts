import { type MatmulOptions, ShapeError, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectMatrix, expectSize } from './checks.js';
import { matrixOf } from './views.js';

/** out = alpha · op(a) · op(b) + bias [+ out]. */
export function matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
  const K = 'matmul';
  const o = unwrap(out, K, 'out');
  const ta = unwrap(a, K, 'a');
  const tb = unwrap(b, K, 'b');
  const { transA = false, transB = false, alpha = 1, accumulate = false } = options;
  const [ar, ac] = expectMatrix(K, 'a', ta, undefined, undefined);
  const [br, bc] = expectMatrix(K, 'b', tb, undefined, undefined);
  const [rows, inner] = transA ? [ac, ar] : [ar, ac];
  const [inner2, cols] = transB ? [bc, br] : [br, bc];
  if (inner !== inner2) {
    throw new ShapeError(
      `${K}: inner sizes differ, op(a) is [${rows}, ${inner}] and op(b) [${inner2}, ${cols}]`,
    );
  }
  expectMatrix(K, 'out', o, rows, cols);
  const bias = options.bias === undefined ? undefined : unwrap(options.bias, K, 'bias');
  if (bias) expectSize(K, 'bias', bias, cols);
  o.assign(
    tf.tidy(() => {
      // wasm's matmul is fast only on untransposed operands (XNNPACK): a transposed operand
      // falls to a scalar loop 10-50x slower, so transpose explicitly there (O(size) copy).
      const explicit = tf.getBackend() === 'wasm';
      const am = explicit && transA ? tf.transpose(matrixOf(ta)) : matrixOf(ta);
      const bm = explicit && transB ? tf.transpose(matrixOf(tb)) : matrixOf(tb);
      const [tA, tB] = explicit ? [false, false] : [transA, transB];
      const biasRow = bias ? tf.reshape(bias.value, [1, cols]) : undefined;
      let c: tf.Tensor;
      if (alpha === 1) {
        // The fused op adds the bias in the same pass on backends that fuse it.
        c = tf.fused.matMul({
          a: am,
          b: bm,
          transposeA: tA,
          transposeB: tB,
          bias: biasRow,
        });
      } else {
        c = tf.mul(tf.matMul(am, bm, tA, tB), alpha);
        if (biasRow) c = tf.add(c, biasRow);
      }
      return accumulate ? tf.add(c, matrixOf(o)) : c;
    }),
  );
}

import { asMatrix, type MatmulOptions, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { matrixOf } from './views.js';

/** out = alpha · op(a) · op(b) + bias [+ out]. */
export function matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
  const o = handle(out);
  const ta = handle(a);
  const tb = handle(b);
  const { transA = false, transB = false, alpha = 1, accumulate = false } = options;
  const [ar, ac] = asMatrix(ta);
  const [br, bc] = asMatrix(tb);
  const [rows, inner] = transA ? [ac, ar] : [ar, ac];
  const cols = transB ? br : bc;
  const bias = options.bias === undefined ? undefined : handle(options.bias);
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

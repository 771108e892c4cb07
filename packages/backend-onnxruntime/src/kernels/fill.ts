import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

const bits = new DataView(new ArrayBuffer(4));

/**
 * out[i] = value: SIMD stores of the value's 32-bit pattern, split over the pool (the
 * gradients zeroed every step are [m, d]).
 */
export function fill(ctx: OrtContext, out: Tensor, value: number): void {
  if (out.dtype === 'float32') bits.setFloat32(0, value, true);
  else bits.setInt32(0, value, true);
  const word = bits.getInt32(0, true);
  const o = ctx.ptr(out);
  ctx.pool.run(
    'fill_words',
    ctx.elementRanges(out.size).map(([i, e]) => [o + i * 4, word, e - i]),
  );
}

import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectDtype, expectSize } from './checks.js';

export function copy(out: Tensor, src: Tensor): void {
  const o = unwrap(out, 'copy', 'out');
  const s = unwrap(src, 'copy', 'src');
  expectSize('copy', 'src', s, o.size);
  expectDtype('copy', 'src', s, o.dtype);
  if (o === s) return;
  o.assign(tf.tidy(() => tf.clone(tf.reshape(s.value, [...o.shape]))));
}

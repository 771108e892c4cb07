import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';

export function fill(out: Tensor, value: number): void {
  const o = handle(out);
  o.assign(tf.fill([...o.shape], value, o.dtype));
}

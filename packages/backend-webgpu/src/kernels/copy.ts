import { ShapeError, type Tensor } from '@saekit/core';
import type { GpuRuntime } from '../runtime.js';
import { gpu } from './common.js';

export function copy(rt: GpuRuntime, out: Tensor, src: Tensor): void {
  const o = gpu(out, 'copy', 'out');
  const s = gpu(src, 'copy', 'src');
  if (o.size !== s.size || o.dtype !== s.dtype) {
    throw new ShapeError(
      `webgpu copy: src [${s.shape.join(', ')}] ${s.dtype} does not fit out [${o.shape.join(', ')}] ${o.dtype}`,
    );
  }
  if (o.buffer === s.buffer || o.size === 0) return;
  rt.encoderForCopy().copyBufferToBuffer(s.buffer, 0, o.buffer, 0, o.byteLength);
}

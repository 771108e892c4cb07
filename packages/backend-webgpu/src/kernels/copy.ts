import type { Tensor } from '@saekit/core';
import type { GpuRuntime } from '../runtime.js';
import { gpu } from './common.js';

export function copy(rt: GpuRuntime, out: Tensor, src: Tensor): void {
  const o = gpu(out);
  const s = gpu(src);
  if (o.buffer === s.buffer || o.size === 0) return;
  o.touch();
  rt.copies((enc) => enc.copyBufferToBuffer(s.buffer, 0, o.buffer, 0, o.byteLength));
}

import { ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { aliasedDispatch, FLAT_INDEX, gpu, launch, matrix, WG } from './common.js';

const BODY = /* wgsl */ `
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let v = x[i];
  // JumpReLU (per column) is strict as upstream; the batch cut keeps its own value.
  var keep: bool;
  if (p.perColumn != 0u) { keep = v > threshold[i % p.cols]; } else { keep = v >= threshold[p.index]; }
  out[i] = select(0.0, v, keep && v > 0.0);
}`;

export function thresholdRelu(
  rt: GpuRuntime,
  out: Tensor,
  x: Tensor,
  threshold: Tensor,
  index?: number,
): void {
  const o = gpu(out);
  const xt = gpu(x);
  const th = gpu(threshold);
  const [, cols] = matrix(xt);
  aliasedDispatch(
    rt,
    'thresholdRelu',
    [
      { name: 'out', kind: 'rw', type: 'f32', tensor: o },
      { name: 'x', kind: 'read', type: 'f32', tensor: xt },
      { name: 'threshold', kind: 'read', type: 'f32', tensor: th },
    ],
    'struct P { n: u32, cols: u32, perColumn: u32, index: u32 }',
    BODY,
    launch(rt, o.size),
    params()
      .u32(o.size)
      .u32(cols)
      .u32(index === undefined ? 1 : 0)
      .u32(index ?? 0),
  );
}

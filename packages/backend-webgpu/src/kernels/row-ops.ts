/** WGSL: a workgroup-wide sum of one value per invocation (256 invocations). */
export const WORKGROUP_SUM = /* wgsl */ `
var<workgroup> part: array<f32, 256>;
fn workgroupSum(tid: u32, v: f32) -> f32 {
  part[tid] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (tid < s) { part[tid] += part[tid + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}`;

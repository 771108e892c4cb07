/**
 * WGSL helpers for selection by radix over float bits: `toKey` maps a float to a u32 whose
 * unsigned order is the float order (−0 is read as +0, so the two tie), `fromKey` inverts it.
 * NaN is never a candidate.
 */
export const RADIX_KEYS = /* wgsl */ `
fn toKey(x: f32) -> u32 {
  var b = bitcast<u32>(x);
  if (b == 0x80000000u) { b = 0u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}
fn fromKey(k: u32) -> f32 {
  if ((k & 0x80000000u) != 0u) { return bitcast<f32>(k & 0x7fffffffu); }
  return bitcast<f32>(~k);
}
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
`;

/**
 * WGSL float addition into an `array<atomic<u32>>` (WebGPU has no float atomics): a
 * compare-exchange loop on the bit pattern. Duplicate targets accumulate in an unspecified
 * order, so sums are exact up to float rounding order.
 */
export function atomicAddF32(array: string): string {
  return /* wgsl */ `
fn atomicAddF32(i: u32, v: f32) {
  var old = atomicLoad(&${array}[i]);
  loop {
    let r = atomicCompareExchangeWeak(&${array}[i], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`;
}

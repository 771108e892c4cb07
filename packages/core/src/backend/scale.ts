import type { Tensor } from './tensor.js';

/**
 * A scalar factor that may live on the device, so that a step whose factors depend on its
 * own results (1 / loss denominator, a clipping factor) never waits for a read-back.
 *
 * value = min(max, numerator / f(source[index])) with f = sqrt when `sqrt`, else identity;
 * the value is 0 when source[index] is not > 0 (an all-equal batch, an all-zero gradient).
 */
export interface DeviceScale {
  readonly numerator: number;
  readonly source: Tensor;
  readonly index: number;
  readonly sqrt?: boolean;
  readonly max?: number;
}

export type Scale = number | DeviceScale;

/** Evaluates a scale given the value found at source[index] (used by host-side backends). */
export function resolveScale(scale: Scale, read: (t: Tensor, index: number) => number): number {
  if (typeof scale === 'number') return scale;
  const raw = read(scale.source, scale.index);
  if (!(raw > 0)) return 0;
  const den = scale.sqrt ? Math.sqrt(raw) : raw;
  const v = scale.numerator / den;
  return scale.max === undefined ? v : Math.min(scale.max, v);
}

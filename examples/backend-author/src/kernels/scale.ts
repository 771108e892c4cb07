import { resolveScale, type Scale } from '@saekit/core';
import { f32 } from '../host.js';

/** A Scale's value now: host backends can simply read a device scalar from storage. */
export function scaleValue(scale: Scale): number {
  return resolveScale(scale, (t, index) => f32(t)[index]);
}

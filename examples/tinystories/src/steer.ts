import { ModelInputError } from './errors.js';
import type { ResidualHook } from './model/transformer.js';

/**
 * A hook that adds `value` × `direction` (a feature's decoder row) to the residual at every
 * position from `fromPosition` on (default 1: BOS stays as the model saw it in training).
 */
export function steeringHook(
  direction: Float32Array,
  value: number,
  fromPosition = 1,
): ResidualHook {
  if (!Number.isFinite(value)) throw new ModelInputError(`steering value ${value} is not finite`);
  const out = new Float32Array(direction.length);
  return (x, pos) => {
    if (pos < fromPosition) return undefined;
    for (let i = 0; i < out.length; i++) out[i] = x[i] + value * direction[i];
    return out;
  };
}

/** Row `feature` of a latent-major decoder matrix [dSae, dIn]. */
export function decoderDirection(wDec: Float32Array, dIn: number, feature: number): Float32Array {
  const dSae = wDec.length / dIn;
  if (!Number.isInteger(feature) || feature < 0 || feature >= dSae) {
    throw new ModelInputError(`feature ${feature} is outside [0, ${dSae})`);
  }
  return wDec.slice(feature * dIn, (feature + 1) * dIn);
}

import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { ConfigError, ShapeError, StateError } from '../errors.js';
import {
  appliesTo,
  resolveTrainConfig,
  type TrainableArchitecture,
  type TrainConfig,
  type TrainConfigInput,
} from './config.js';
import { PARAM_NAMES, type TrainGraph } from './graph.js';
import type { Json, JsonObject, TrainingState } from './state.js';

/** meta.kind of a trainer's state, so io and the CLI can tell it from other states. */
export const STATE_KIND = 'saekit-trainer';

/** The host-side half of a trainer's state (the device half is the graph's tensors). */
export interface TrainerProgress {
  readonly step: number;
  readonly tokens: number;
  readonly initialized: boolean;
  readonly inputScale: number;
  /** A transcoder's target scale; equal to inputScale for an SAE. */
  readonly targetScale: number;
  readonly rng: number[];
  readonly notes: string[];
}

/** The graph's tensors by their state array names. */
function stateTensors(graph: TrainGraph): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  for (const name of PARAM_NAMES) {
    out.push([name, graph.params[name]]);
    out.push([`adam_m.${name}`, graph.adamM[name]]);
    out.push([`adam_v.${name}`, graph.adamV[name]]);
  }
  out.push(
    ['stale_tokens', graph.stale],
    ['firing_counts', graph.firing],
    ['threshold', graph.theta],
  );
  // JumpReLU trains θ (in log space): its Adam moments travel too.
  if (graph.thresholdAdamM && graph.thresholdAdamV) {
    out.push(
      ['adam_m.threshold', graph.thresholdAdamM],
      ['adam_v.threshold', graph.thresholdAdamV],
    );
  }
  return out;
}

export async function captureState(
  backend: Backend,
  graph: TrainGraph,
  config: TrainConfig,
  progress: TrainerProgress,
  extra?: JsonObject,
): Promise<TrainingState> {
  const arrays: Record<string, Float32Array | Int32Array> = {};
  for (const [name, t] of stateTensors(graph)) arrays[name] = await backend.read(t);
  const meta: JsonObject = {
    kind: STATE_KIND,
    config: config as unknown as JsonObject,
    step: progress.step,
    tokens: progress.tokens,
    initialized: progress.initialized,
    inputScale: progress.inputScale,
    targetScale: progress.targetScale,
    rng: progress.rng,
    notes: progress.notes,
    ...(extra === undefined ? {} : { extra }),
  };
  return { format: 'saekit-training-state', version: 1, meta, arrays };
}

/** Writes the state's arrays into the graph (typed errors name what is missing or wrong). */
export function restoreState(
  backend: Backend,
  graph: TrainGraph,
  state: TrainingState,
): TrainerProgress {
  for (const [name, t] of stateTensors(graph)) {
    const a = state.arrays[name];
    if (!a) throw new ShapeError(`training state: array '${name}' is missing`);
    if (a.length !== t.size) {
      throw new ShapeError(
        `training state: array '${name}' has ${a.length} values, expected ${t.size} (shape [${t.shape.join(', ')}])`,
      );
    }
    if (a instanceof Float32Array) {
      // A NaN here would train on silently and export a NaN SAE.
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i])) {
          throw new StateError(name, `value ${a[i]} at index ${i} is not finite`);
        }
      }
    }
    backend.write(t, a instanceof Float32Array ? a : Float32Array.from(a));
  }
  const meta = state.meta;
  const rng = meta['rng'];
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((x) => typeof x === 'number')) {
    throw new ConfigError('rng', 'training state: meta.rng must be 4 uint32 numbers');
  }
  const notes = meta['notes'];
  const step = num(meta, 'step');
  const tokens = num(meta, 'tokens');
  const inputScale = num(meta, 'inputScale');
  // States written before transcoders existed scale their one stream with inputScale.
  const targetScale = meta['targetScale'] === undefined ? inputScale : num(meta, 'targetScale');
  if (!Number.isSafeInteger(step) || step < 0)
    throw new StateError('step', `${step} is not a step count`);
  if (!Number.isSafeInteger(tokens) || tokens < 0) {
    throw new StateError('tokens', `${tokens} is not a token count`);
  }
  // Inputs are multiplied by it: zero, negative or non-finite would corrupt every step.
  if (!(inputScale > 0)) throw new StateError('inputScale', `${inputScale} must be > 0`);
  if (!(targetScale > 0)) throw new StateError('targetScale', `${targetScale} must be > 0`);
  return {
    step,
    tokens,
    inputScale,
    targetScale,
    initialized: meta['initialized'] === true,
    rng: rng as number[],
    notes: Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [],
  };
}

function num(meta: JsonObject, key: string): number {
  const v = meta[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new StateError(key, `meta.${key} must be a finite number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The resolved config a state was made with, re-validated. */
export function configFromState(state: TrainingState): TrainConfig {
  if (state.format !== 'saekit-training-state' || state.version !== 1) {
    throw new ConfigError('state', 'not a saekit training state (format/version)');
  }
  if (state.meta['kind'] !== STATE_KIND) {
    throw new ConfigError(
      'state',
      `meta.kind is ${JSON.stringify(state.meta['kind'] ?? null)}, expected '${STATE_KIND}'`,
    );
  }
  const cfg = state.meta['config'];
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) {
    throw new ConfigError('config', 'training state: meta.config is missing');
  }
  // Re-validate through the resolver so a hand-edited state cannot smuggle in bad values.
  const raw = cfg as { [key: string]: Json };
  const input: { [key: string]: Json } = {};
  const arch = raw['architecture'];
  for (const [key, value] of Object.entries(raw)) {
    // A resolved config carries every key; those of other architectures are defaults.
    const foreign = typeof arch === 'string' && !appliesTo(key, arch as TrainableArchitecture);
    if (value !== null && key !== 'notes' && !foreign) input[key] = value;
  }
  const resolved = resolveTrainConfig(input as unknown as TrainConfigInput);
  const notes = raw['notes'];
  return {
    ...resolved,
    notes: Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [],
  };
}

import type { Backend } from '../backend/backend.js';
import { ConfigError } from '../errors.js';
import type { TrainConfig } from '../train/config.js';
import type { Json, JsonObject, TrainingState } from '../train/state.js';
import { configFromState } from '../train/trainer-state.js';
import type { RunStore } from './store.js';

/**
 * What a run adds to its trainer's state (under meta.extra): the data position and the
 * caller's metadata. Later versions add fields here; none is ever renamed.
 */
export interface RunRecord<M extends JsonObject = JsonObject> extends JsonObject {
  format: 'saekit-run';
  version: 1;
  /** The source's position after the batches trained on (`RunSource.positionAt`). */
  data: Json;
  metadata: M;
  /** What trained it (absent in records written before it was kept). */
  backend: BackendIdentity;
}

/** A backend and its kernel set: the same run on another gives other weights in the last bits. */
export interface BackendIdentity extends JsonObject {
  name: string;
  kernels: string | null;
}

/** The backend's name and its descriptor's variant (tfjs: wasm / tensorflow; webgpu: gpu / software). */
export function backendIdentity(backend: Backend): BackendIdentity {
  return { name: backend.name, kernels: backend.descriptor.variant ?? null };
}

export function describeBackend(b: BackendIdentity): string {
  return b.kernels === null ? b.name : `${b.name} (${b.kernels})`;
}

/** A checkpoint as a run reads it back: typed, its config re-validated. */
export interface SavedRun<M extends JsonObject = JsonObject> {
  readonly state: TrainingState;
  readonly config: TrainConfig;
  /** Steps and tokens trained when it was saved. */
  readonly step: number;
  readonly tokens: number;
  /** Where the data resumes. */
  readonly position: Json;
  readonly metadata: M;
  /** The backend that trained it; null for states saved before it was recorded. */
  readonly backend: BackendIdentity | null;
}

/** The run a training state belongs to; a ConfigError names what is missing or malformed. */
export function savedRunOf<M extends JsonObject = JsonObject>(state: TrainingState): SavedRun<M> {
  const config = configFromState(state);
  const extra = state.meta['extra'];
  if (!isObject(extra) || extra['format'] !== 'saekit-run' || extra['version'] !== 1) {
    throw new ConfigError(
      'state',
      'training state: meta.extra is not a saekit run record (saved by a Trainer outside a TrainingRun?)',
    );
  }
  const metadata = extra['metadata'];
  if (!isObject(metadata)) {
    throw new ConfigError('metadata', 'training state: the run record has no metadata object');
  }
  return {
    state,
    config,
    step: count(state.meta, 'step'),
    tokens: count(state.meta, 'tokens'),
    position: extra['data'] ?? null,
    metadata: metadata as M,
    backend: isBackendIdentity(extra['backend']) ? extra['backend'] : null,
  };
}

/** The store's checkpoint as a saved run, or null when the store holds none. */
export async function readSavedRun<M extends JsonObject = JsonObject>(
  store: RunStore,
): Promise<SavedRun<M> | null> {
  const state = await store.readState();
  return state === null ? null : savedRunOf<M>(state);
}

function isBackendIdentity(v: Json | undefined): v is BackendIdentity {
  return (
    isObject(v) &&
    typeof v['name'] === 'string' &&
    (v['kernels'] === null || typeof v['kernels'] === 'string')
  );
}

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function count(meta: JsonObject, key: string): number {
  const v = meta[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ConfigError(key, `training state: meta.${key} must be an integer ≥ 0`);
  }
  return v;
}

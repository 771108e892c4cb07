import { BackendUnavailableError, NoBackendError } from '../errors.js';
import type { Backend } from './define-backend.js';
import { type DeviceKind, KIND_RANK } from './descriptor.js';

/** A cheap look at whether a backend can run here, and on what, without creating it. */
export type BackendProbe =
  | {
      readonly ok: true;
      readonly kind: DeviceKind;
      readonly device: string;
      /** Overrides the factory's priority for what was found (e.g. a slower engine). */
      readonly priority?: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * How a backend is made. `probe` is cheap and never throws; `create` throws (ideally a
 * BackendUnavailableError) when the backend cannot run after all. The registry records the
 * reason and moves on, as onnxruntime-web does with its execution providers.
 */
export interface BackendFactory<Options = unknown> {
  readonly name: string;
  /** Among backends of the same kind, higher is tried first by `auto`. */
  readonly priority: number;
  probe(): Promise<BackendProbe>;
  create(options?: Options): Promise<Backend>;
}

export interface Refusal {
  readonly name: string;
  readonly reason: string;
}

export interface ResolvedBackend {
  readonly backend: Backend;
  /** Backends tried or passed over before the chosen one, each with its reason. */
  readonly refused: readonly Refusal[];
}

export interface ResolveOptions {
  /** Let `auto` choose a GPU API emulated on the CPU (llvmpipe, SwiftShader). Default false. */
  readonly allowEmulated?: boolean;
}

/**
 * Backends by name, and the policy of choosing one. `resolve('auto')` probes every backend,
 * prefers kinds in the order gpu, cpu-native, cpu-emulated (the last only when allowed) and,
 * within a kind, higher priority; a named list is tried in the given order with no policy.
 */
export class BackendRegistry {
  readonly #factories = new Map<string, BackendFactory>();

  register(factory: BackendFactory): this {
    this.#factories.set(factory.name, factory);
    return this;
  }

  names(): string[] {
    return [...this.#factories.values()].sort((a, b) => b.priority - a.priority).map((f) => f.name);
  }

  get(name: string): BackendFactory | undefined {
    return this.#factories.get(name);
  }

  /** The order `auto` would try backends in, and why the others are passed over. */
  async plan(options: ResolveOptions = {}): Promise<{ order: string[]; refused: Refusal[] }> {
    const refused: Refusal[] = [];
    const candidates: { name: string; kind: DeviceKind; priority: number }[] = [];
    for (const f of this.#factories.values()) {
      const probe = await safeProbe(f);
      if (!probe.ok) refused.push({ name: f.name, reason: probe.reason });
      else if (probe.kind === 'cpu-emulated' && !options.allowEmulated) {
        refused.push({
          name: f.name,
          reason: `${probe.device} emulates a GPU on the CPU, slower than a native CPU backend; ask for '${f.name}' by name to use it anyway`,
        });
      } else
        candidates.push({ name: f.name, kind: probe.kind, priority: probe.priority ?? f.priority });
    }
    candidates.sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || b.priority - a.priority);
    return { order: candidates.map((c) => c.name), refused };
  }

  /**
   * 'auto': the best backend `plan` finds that can be created. A list of names: the first of
   * them that can be created, in the given order. Throws NoBackendError with every reason.
   */
  async resolve(
    preference: 'auto' | readonly string[] = 'auto',
    options: ResolveOptions = {},
  ): Promise<ResolvedBackend> {
    const refused: Refusal[] = [];
    let order: readonly string[];
    if (preference === 'auto' || preference.length === 0) {
      const plan = await this.plan(options);
      order = plan.order;
      refused.push(...plan.refused);
    } else order = preference;
    for (const name of order) {
      const factory = this.#factories.get(name);
      if (!factory) {
        refused.push({ name, reason: `not registered (known: ${this.names().join(', ')})` });
        continue;
      }
      try {
        return { backend: await factory.create(), refused };
      } catch (err) {
        refused.push({ name, reason: reasonOf(err) });
      }
    }
    throw new NoBackendError(refused);
  }
}

async function safeProbe(f: BackendFactory): Promise<BackendProbe> {
  try {
    return await f.probe();
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof BackendUnavailableError) return err.reason;
  return err instanceof Error ? err.message : String(err);
}

/** "backend: cpu (skipped webgpu: no adapter; tfjs: package not installed)" */
export function describeResolved(resolved: ResolvedBackend): string {
  const d = resolved.backend.descriptor;
  const skipped = resolved.refused.map((r) => `${r.name}: ${r.reason}`).join('; ');
  return `backend: ${d.name} on ${d.device} (${d.kind})${skipped ? ` (skipped ${skipped})` : ''}`;
}

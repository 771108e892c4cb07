import { BackendUnavailableError, NoBackendError } from '../errors.js';
import type { Backend } from './backend.js';

/**
 * How a backend is made. `create` throws (ideally a BackendUnavailableError) when the
 * backend cannot run here; the registry records the reason and moves on, as
 * onnxruntime-web does with its execution providers.
 */
export interface BackendFactory<Options = unknown> {
  readonly name: string;
  /** Higher is tried first by `auto`. */
  readonly priority: number;
  create(options?: Options): Promise<Backend>;
}

export interface ResolvedBackend {
  readonly backend: Backend;
  /** Backends tried before the chosen one, with the reason each was refused. */
  readonly refused: readonly { name: string; reason: string }[];
}

export class BackendRegistry {
  readonly #factories = new Map<string, BackendFactory>();

  register(factory: BackendFactory): this {
    this.#factories.set(factory.name, factory);
    return this;
  }

  names(): string[] {
    return [...this.#factories.values()].sort((a, b) => b.priority - a.priority).map((f) => f.name);
  }

  /**
   * Tries the named backends in order ('auto' or an empty list: every registered backend by
   * descending priority) and returns the first that can be created, with the refusals.
   */
  async resolve(preference: 'auto' | readonly string[] = 'auto'): Promise<ResolvedBackend> {
    const order = preference === 'auto' || preference.length === 0 ? this.names() : preference;
    const refused: { name: string; reason: string }[] = [];
    for (const name of order) {
      const factory = this.#factories.get(name);
      if (!factory) {
        refused.push({ name, reason: `not registered (known: ${this.names().join(', ')})` });
        continue;
      }
      try {
        return { backend: await factory.create(), refused };
      } catch (err) {
        const reason =
          err instanceof BackendUnavailableError
            ? err.reason
            : err instanceof Error
              ? err.message
              : String(err);
        refused.push({ name, reason });
      }
    }
    throw new NoBackendError(refused);
  }
}

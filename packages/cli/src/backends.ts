import {
  type Backend,
  type BackendFactory,
  BackendRegistry,
  cpuBackend,
  NoBackendError,
} from '@saekit/core';

export type BackendChoice = 'auto' | 'webgpu' | 'tfjs' | 'cpu';

/** Optional backend packages, loaded by dynamic import so saekit runs without them. */
const OPTIONAL: readonly { name: string; pkg: string; exportName: string }[] = [
  { name: 'webgpu', pkg: '@saekit/backend-webgpu', exportName: 'webgpuBackend' },
  { name: 'tfjs', pkg: '@saekit/backend-tfjs', exportName: 'tfjsBackend' },
];

export interface ChosenBackend {
  readonly backend: Backend;
  readonly refused: readonly { name: string; reason: string }[];
}

async function loadOptional(
  pkg: string,
  exportName: string,
): Promise<BackendFactory | { reason: string }> {
  try {
    // A variable specifier keeps bundlers from resolving (and requiring) the package.
    const specifier: string = pkg;
    const mod = (await import(specifier)) as Record<string, unknown>;
    const factory = mod[exportName] as BackendFactory | undefined;
    if (!factory || typeof factory.create !== 'function') {
      return { reason: `${pkg} does not export ${exportName}` };
    }
    return factory;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      return { reason: `package ${pkg} is not installed` };
    }
    return { reason: `${pkg} failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * Creates the requested backend. 'auto' tries every available one by priority (webgpu,
 * tfjs, cpu) and returns the first that works, with the reason each faster one was skipped.
 */
export async function chooseBackend(choice: BackendChoice): Promise<ChosenBackend> {
  const registry = new BackendRegistry().register(cpuBackend);
  const missing: { name: string; reason: string }[] = [];
  for (const o of OPTIONAL) {
    if (choice !== 'auto' && choice !== o.name) continue;
    const loaded = await loadOptional(o.pkg, o.exportName);
    if ('reason' in loaded) missing.push({ name: o.name, reason: loaded.reason });
    else registry.register(loaded);
  }
  if (choice !== 'auto' && missing.length > 0) throw new NoBackendError(missing);
  const resolved = await registry.resolve(choice === 'auto' ? 'auto' : [choice]);
  return { backend: resolved.backend, refused: [...missing, ...resolved.refused] };
}

/** "backend: cpu (skipped webgpu: no adapter; tfjs: package not installed)" */
export function describeChoice(chosen: ChosenBackend): string {
  const skipped = chosen.refused.map((r) => `${r.name}: ${r.reason}`).join('; ');
  return `backend: ${chosen.backend.name}${skipped ? ` (skipped ${skipped})` : ''}`;
}

import {
  type BackendFactory,
  BackendRegistry,
  BackendUnavailableError,
  cpuBackend,
  describeResolved,
  type ResolvedBackend,
} from '@saekit/core';

/** Backends the CLI knows by name; `auto` lets the registry choose among those that load. */
export const BACKEND_NAMES = ['webgpu', 'onnxruntime', 'tfjs', 'cpu'] as const;
export type BackendChoice = 'auto' | (typeof BACKEND_NAMES)[number];

/** Optional backend packages, loaded by dynamic import so saekit runs without them. */
const OPTIONAL: readonly { name: string; pkg: string; exportName: string }[] = [
  { name: 'webgpu', pkg: '@saekit/backend-webgpu', exportName: 'webgpuBackend' },
  { name: 'onnxruntime', pkg: '@saekit/backend-onnxruntime', exportName: 'onnxruntimeBackend' },
  { name: 'tfjs', pkg: '@saekit/backend-tfjs', exportName: 'tfjsBackend' },
];

export type ChosenBackend = ResolvedBackend;

/** The package's factory, or one that refuses with the reason the package could not load. */
async function loadOptional(
  name: string,
  pkg: string,
  exportName: string,
): Promise<BackendFactory> {
  const refuse = (reason: string): BackendFactory => ({
    name,
    priority: 0,
    probe: async () => ({ ok: false, reason }),
    create: async () => {
      throw new BackendUnavailableError(name, reason);
    },
  });
  try {
    // A variable specifier keeps bundlers from resolving (and requiring) the package.
    const specifier: string = pkg;
    const mod = (await import(specifier)) as Record<string, unknown>;
    const factory = mod[exportName] as BackendFactory | undefined;
    if (!factory || typeof factory.probe !== 'function')
      return refuse(`${pkg} does not export ${exportName}`);
    return factory;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = (err as Error).message ?? '';
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      message.includes(`'${pkg}'`)
    ) {
      return refuse(`package ${pkg} is not installed`);
    }
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(`${pkg}/dist/`)) {
      return refuse(`package ${pkg} is not built (run pnpm build)`);
    }
    return refuse(`${pkg} failed to load: ${message.split('\n')[0]}`);
  }
}

/** Every backend the CLI can use, registered once per process. */
let registry: Promise<BackendRegistry> | undefined;
export function cliRegistry(): Promise<BackendRegistry> {
  registry ??= (async () => {
    const r = new BackendRegistry().register(cpuBackend);
    for (const o of OPTIONAL) r.register(await loadOptional(o.name, o.pkg, o.exportName));
    return r;
  })();
  return registry;
}

/**
 * Creates the requested backend. 'auto' is the registry's policy (a GPU, then the fastest
 * native CPU backend; GPU APIs emulated on the CPU are passed over), with the reason each
 * other backend was skipped; a name creates that backend or fails with its reason.
 */
export async function chooseBackend(choice: BackendChoice): Promise<ChosenBackend> {
  const r = await cliRegistry();
  return r.resolve(choice === 'auto' ? 'auto' : [choice]);
}

/** "backend: cpu on plain TypeScript, one thread (cpu-native) (skipped webgpu: ...)" */
export function describeChoice(chosen: ChosenBackend): string {
  return describeResolved(chosen);
}

import {
  type Backend,
  type BackendFactory,
  BackendRegistry,
  cpuBackend,
  NoBackendError,
} from '@saekit/core';
import { probeWebGpu } from './webgpu-probe.js';

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
    const message = (err as Error).message ?? '';
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      message.includes(`'${pkg}'`)
    ) {
      return { reason: `package ${pkg} is not installed` };
    }
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(`${pkg}/dist/`)) {
      return { reason: `package ${pkg} is not built (run pnpm build)` };
    }
    return { reason: `${pkg} failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Why auto should not use WebGPU here, probed out of process (see probeWebGpu). */
async function webgpuSkipReason(pkg: string): Promise<string | undefined> {
  const probe = await probeWebGpu(pkg);
  if (!probe.ok) return probe.reason;
  const slow = slowerThanCpu({ name: 'webgpu', adapter: probe.adapter } as unknown as Backend);
  return slow === undefined ? undefined : `${slow}; pass --backend webgpu to use it anyway`;
}

let autoDecision: { name: string; refused: ChosenBackend['refused'] } | undefined;

/** A software rasterizer's WebGPU adapter (Mesa llvmpipe / lavapipe, SwiftShader). */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader/i;

/**
 * Why 'auto' should pass over a backend that did start: it would run on the CPU anyway, in
 * a slower way than the reference cpu backend. Measured on 2 cores with `saekit bench
 * --backends cpu,tfjs --config small medium --steps 3`: cpu 14.4k / 1.56k tokens/s, tfjs on
 * wasm 16.8k / 2.14k (XNNPACK's SIMD matmul wins, so wasm is kept), tfjs on its own cpu
 * kernels 0.9k / 0.08k, webgpu on llvmpipe 0.3k / 0.06k.
 */
export function slowerThanCpu(backend: Backend): string | undefined {
  const b = backend as {
    adapter?: { description?: unknown; device?: unknown };
    choice?: { kind?: unknown; skipped?: readonly { kind: string; reason: string }[] };
  };
  if (backend.name === 'webgpu' && b.adapter) {
    const text = [b.adapter.description, b.adapter.device]
      .filter((v) => typeof v === 'string')
      .join(' ');
    const match = SOFTWARE_ADAPTER.exec(text);
    if (match)
      return `its adapter is the ${match[0]} software rasterizer, slower than the cpu backend`;
  }
  if (backend.name === 'tfjs' && b.choice && b.choice.kind === 'cpu') {
    const native = b.choice.skipped?.find((s) => s.kind === 'tensorflow');
    return (
      `it runs on tfjs's ${String(b.choice.kind)} backend, slower than the cpu backend` +
      (native ? ` (native tensorflow: ${native.reason})` : '')
    );
  }
  return undefined;
}

/**
 * Creates the requested backend. 'auto' tries every available one by priority (webgpu,
 * tfjs, cpu) and returns the first that works, with the reason each faster one was skipped.
 * 'auto' also passes over a backend that started but would only emulate on the CPU (see
 * slowerThanCpu); naming it explicitly uses it anyway.
 */
export async function chooseBackend(choice: BackendChoice): Promise<ChosenBackend> {
  // Probe once per process: creating and destroying native devices (Dawn) again and again
  // in one process is both slow and fragile; later calls create only the backend chosen.
  if (choice === 'auto' && autoDecision) {
    const { name, refused } = autoDecision;
    return { backend: await chooseBackend(name as BackendChoice).then((c) => c.backend), refused };
  }
  const registry = new BackendRegistry().register(cpuBackend);
  const refused: { name: string; reason: string }[] = [];
  for (const o of OPTIONAL) {
    if (choice !== 'auto' && choice !== o.name) continue;
    if (choice === 'auto' && o.name === 'webgpu') {
      const reason = await webgpuSkipReason(o.pkg);
      if (reason !== undefined) {
        refused.push({ name: o.name, reason });
        continue;
      }
    }
    const loaded = await loadOptional(o.pkg, o.exportName);
    if ('reason' in loaded) refused.push({ name: o.name, reason: loaded.reason });
    else registry.register(loaded);
  }
  if (choice !== 'auto') {
    if (refused.length > 0) throw new NoBackendError(refused);
    return { backend: (await registry.resolve([choice])).backend, refused };
  }
  for (const name of registry.names()) {
    let backend: Backend;
    try {
      backend = (await registry.resolve([name])).backend;
    } catch (err) {
      refused.push(...((err as NoBackendError).refused ?? [{ name, reason: String(err) }]));
      continue;
    }
    const slow = slowerThanCpu(backend);
    if (slow === undefined) {
      autoDecision = { name, refused };
      return { backend, refused };
    }
    await backend.destroy();
    refused.push({ name, reason: `${slow}; pass --backend ${name} to use it anyway` });
  }
  throw new NoBackendError(refused);
}

/** "backend: cpu (skipped webgpu: no adapter; tfjs: package not installed)" */
export function describeChoice(chosen: ChosenBackend): string {
  const skipped = chosen.refused.map((r) => `${r.name}: ${r.reason}`).join('; ');
  // tfjs names the engine under it (tensorflow / wasm / cpu): the speed depends on it.
  const kind = (chosen.backend as { choice?: { kind?: unknown } }).choice?.kind;
  const name = typeof kind === 'string' ? `${chosen.backend.name} (${kind})` : chosen.backend.name;
  return `backend: ${name}${skipped ? ` (skipped ${skipped})` : ''}`;
}

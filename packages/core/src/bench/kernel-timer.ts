import { type Backend, KERNEL_NAMES, type KernelName } from '../backend/backend.js';

/**
 * Wraps a backend so that each kernel call's wall time is added up while `enabled`. For a
 * synchronous backend (cpu) that is the kernel's cost; for a GPU backend it only measures
 * encoding, so treat it as a proxy there.
 */
export function timeKernels(backend: Backend): {
  backend: Backend;
  totals: Map<KernelName, number>;
  calls: Map<KernelName, number>;
  setEnabled(on: boolean): void;
} {
  const totals = new Map<KernelName, number>();
  const calls = new Map<KernelName, number>();
  const kernels = new Set<string>(KERNEL_NAMES);
  let enabled = false;
  const proxy = new Proxy(backend, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      if (typeof prop !== 'string' || !kernels.has(prop)) return v.bind(target);
      const name = prop as KernelName;
      return (...args: unknown[]) => {
        if (!enabled) return v.apply(target, args);
        const t0 = performance.now();
        const r = v.apply(target, args);
        totals.set(name, (totals.get(name) ?? 0) + performance.now() - t0);
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return r;
      };
    },
  });
  return {
    backend: proxy,
    totals,
    calls,
    setEnabled(on: boolean) {
      enabled = on;
    },
  };
}

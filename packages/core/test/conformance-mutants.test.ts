import {
  type AdamOptions,
  type Backend,
  type CpuTensor,
  createCpuBackendImpl,
  defineBackend,
  type KernelTable,
  type MatmulOptions,
  type ReduceOp,
  type Scale,
  type Tensor,
} from '@saekit/core';
import {
  CaseContext,
  CONFORMANCE_GROUPS,
  type ConformanceGroup,
  DEFAULT_TOLERANCE,
} from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';

/**
 * The suite must fail a wrong backend. Each mutant is the cpu backend with one kernel broken
 * the way real implementations go wrong; running the group of that kernel against it must
 * fail at least one case (and the unbroken cpu backend passes them all, in
 * conformance-cpu.test.ts).
 */
const host = (t: Tensor) => (t as CpuTensor).data!;

function mutant(overrides: (base: KernelTable) => Partial<KernelTable>): Backend {
  const impl = createCpuBackendImpl();
  return defineBackend({ ...impl, kernels: { ...impl.kernels, ...overrides(impl.kernels) } });
}

const mutants: { name: string; group: string; make: () => Backend }[] = [
  {
    name: 'topk breaks ties toward the higher index',
    group: 'selection',
    make: () =>
      mutant((base) => ({
        topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void {
          base.topk(values, indices, scores, mask);
          const [v, ix] = [host(values), host(indices)];
          const k = values.shape[1];
          for (let base = 0; base < v.length; base += k) {
            // Reverse every run of equal values: ties now list the higher index first.
            for (let s = base; s < base + k; ) {
              let e = s;
              while (e + 1 < base + k && v[e + 1] === v[s] && ix[e + 1] >= 0) e++;
              ix.subarray(s, e + 1).reverse();
              s = e + 1;
            }
          }
        },
      })),
  },
  {
    name: 'topk ignores the mask',
    group: 'selection',
    make: () =>
      mutant((base) => ({
        topk(values: Tensor, indices: Tensor, scores: Tensor): void {
          base.topk(values, indices, scores);
        },
      })),
  },
  {
    name: 'kthLargest is off by one',
    group: 'selection',
    make: () =>
      mutant((base) => ({
        kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
          base.kthLargest(out, offset, x, Math.min(n + 1, x.size));
        },
      })),
  },
  {
    name: 'kthLargest sorts x in place',
    group: 'selection',
    make: () =>
      mutant((base) => ({
        kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
          base.kthLargest(out, offset, x, n);
          host(x).sort();
        },
      })),
  },
  {
    name: 'matmul drops accumulate',
    group: 'matmul',
    make: () =>
      mutant((base) => ({
        matmul(out: Tensor, a: Tensor, b: Tensor, o?: MatmulOptions): void {
          base.matmul(out, a, b, { ...o, accumulate: false });
        },
      })),
  },
  {
    name: 'gatherDot leaves empty slots unwritten',
    group: 'sparse',
    make: () =>
      mutant((base) => ({
        gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void {
          const before = host(out).slice();
          base.gatherDot(out, x, indices, weight);
          const [o, ix] = [host(out), host(indices)];
          for (let s = 0; s < o.length; s++) if (ix[s] < 0) o[s] = before[s];
        },
      })),
  },
  {
    name: 'scatterAdd overwrites duplicates instead of accumulating',
    group: 'sparse',
    make: () =>
      mutant((base) => ({
        scatterAdd(out: Tensor, indices: Tensor, values: Tensor): void {
          const [o, ix, v] = [host(out), host(indices), host(values)];
          for (let s = 0; s < ix.length; s++) if (ix[s] >= 0) o[ix[s]] = v[s];
        },
      })),
  },
  {
    name: 'reduce ignores the offset',
    group: 'reductions',
    make: () =>
      mutant((base) => ({
        reduce(out: Tensor, _offset: number, x: Tensor, op: ReduceOp, acc?: boolean): void {
          base.reduce(out, 0, x, op, acc);
        },
      })),
  },
  {
    name: 'axpby lets a non-positive DeviceScale source through as 1',
    group: 'elementwise',
    make: () =>
      mutant((base) => ({
        axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
          const fix = (s: Scale): Scale =>
            typeof s === 'number' || host(s.source)[s.index] > 0 ? s : s.numerator;
          base.axpby(out, fix(a), x, fix(b), y);
        },
      })),
  },
  {
    name: 'thresholdRelu keeps x == t per column (≥ where SAELens uses >)',
    group: 'elementwise',
    make: () =>
      mutant(() => ({
        thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
          const [o, xs, t] = [host(out), host(x), host(threshold)];
          const cols = x.shape[x.shape.length - 1];
          for (let i = 0; i < xs.length; i++) {
            const th = index === undefined ? t[i % cols] : t[index];
            o[i] = xs[i] >= th && xs[i] > 0 ? xs[i] : 0;
          }
        },
      })),
  },
  {
    name: 'thresholdRelu drops x == t at the BatchTopK batch cut (> instead of ≥)',
    group: 'elementwise',
    make: () =>
      mutant((base) => ({
        thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
          const [o, xs, t] = [host(out), host(x), host(threshold)];
          const cols = x.shape[x.shape.length - 1];
          for (let i = 0; i < xs.length; i++) {
            const th = index === undefined ? t[i % cols] : t[index];
            o[i] = xs[i] > th && xs[i] > 0 ? xs[i] : 0;
          }
        },
      })),
  },
  {
    name: 'adam ignores gradScale',
    group: 'optimizer',
    make: () =>
      mutant((base) => ({
        adam(p: Tensor, g: Tensor, m: Tensor, v: Tensor, o: AdamOptions): void {
          base.adam(p, g, m, v, { ...o, gradScale: undefined });
        },
      })),
  },
  {
    name: 'normalizeRows turns a zero row into NaN',
    group: 'optimizer',
    make: () =>
      mutant((base) => ({
        normalizeRows(weight: Tensor): void {
          base.normalizeRows(weight);
          const w = host(weight);
          const d = weight.shape[1];
          for (let r = 0; r < w.length; r += d) {
            if (w.subarray(r, r + d).every((e) => e === 0)) w.fill(Number.NaN, r, r + d);
          }
        },
      })),
  },
  {
    name: 'read returns the live array instead of a copy',
    group: 'memory',
    make: () => {
      const impl = createCpuBackendImpl();
      return defineBackend({ ...impl, memory: { ...impl.memory, read: async (t) => host(t) } });
    },
  },
];

function group(prefix: string): ConformanceGroup {
  const g = CONFORMANCE_GROUPS.find((x) => x.name.startsWith(prefix));
  if (g === undefined) throw new Error(`no conformance group '${prefix}'`);
  return g;
}

/**
 * Names of the group's cases whose assertions fail on this backend. Other errors are rethrown,
 * so a mutant that merely crashes cannot pass for a caught bug.
 */
async function failures(backend: Backend, g: ConformanceGroup): Promise<string[]> {
  const failed: string[] = [];
  for (const c of g.cases) {
    const ctx = new CaseContext(backend, DEFAULT_TOLERANCE, 20241, `${g.name}/${c.name}`);
    try {
      await c.run(ctx);
    } catch (err) {
      if (!(err instanceof Error && err.name === 'AssertionError')) throw err;
      failed.push(c.name);
    } finally {
      await ctx.dispose();
    }
  }
  return failed;
}

describe('the conformance suite catches broken kernels', () => {
  it.each(mutants)('$name', async ({ group: g, make }) => {
    expect(await failures(make(), group(g))).not.toEqual([]);
  });

  it('the same groups pass on the unbroken cpu backend', async () => {
    for (const g of new Set(mutants.map((m) => m.group))) {
      expect(await failures(defineBackend(createCpuBackendImpl()), group(g)), g).toEqual([]);
    }
  });
});

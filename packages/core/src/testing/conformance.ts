import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { CaseContext, type ConformanceGroup } from './case.js';
import { CONFORMANCE_GROUPS } from './groups.js';
import { DEFAULT_TOLERANCE, type Tolerance } from './tolerance.js';

export interface ConformanceOptions {
  /** Loosen (or tighten) the tolerance rule of tolerance.ts; unset fields keep the defaults. */
  readonly tolerance?: Partial<Tolerance>;
  /**
   * Run the `large` cases: a weight matrix over 128 MiB, for backends that split big tensors
   * over several bindings (WebGPU on llvmpipe). Off by default: it needs about 1 GiB of RAM.
   */
  readonly large?: boolean;
  /** Seed of the random data (default 20241). Each case mixes in its own name. */
  readonly seed?: number;
  /** Groups to run instead of CONFORMANCE_GROUPS. */
  readonly groups?: readonly ConformanceGroup[];
  /** Groups to run after the default (or given) ones, e.g. a backend's own extra checks. */
  readonly extraGroups?: readonly ConformanceGroup[];
  /** Per-test timeout in ms (default: the runner's). */
  readonly timeout?: number;
}

/**
 * Declares the backend conformance suite as vitest describe / it blocks: every kernel of the
 * contract against a float64 oracle, on random and awkward shapes. Call it at the top level of
 * a test file; `create` runs once, before the first case, and the backend is destroyed after
 * the last.
 */
export function describeBackendConformance(
  name: string,
  create: () => Promise<Backend>,
  options: ConformanceOptions = {},
): void {
  const tolerance: Tolerance = { ...DEFAULT_TOLERANCE, ...options.tolerance };
  const seed = options.seed ?? 20241;
  const groups = [...(options.groups ?? CONFORMANCE_GROUPS), ...(options.extraGroups ?? [])];
  describe(`backend conformance: ${name}`, () => {
    let backend: Backend | undefined;
    beforeAll(async () => {
      backend = await create();
    });
    afterAll(async () => {
      await backend?.destroy();
    });
    for (const group of groups) {
      // vitest rejects an empty describe, so a group whose cases are all opt-in large ones
      // is not declared at all when `large` is off.
      const cases = group.cases.filter((c) => c.large !== true || options.large === true);
      if (cases.length === 0) continue;
      describe(group.name, () => {
        for (const c of cases) {
          it(
            c.name,
            async () => {
              if (backend === undefined) throw new Error(`backend '${name}' was not created`);
              const ctx = new CaseContext(backend, tolerance, seed, `${group.name}/${c.name}`);
              try {
                await c.run(ctx);
              } finally {
                await ctx.dispose();
                backend.flush();
              }
            },
            options.timeout,
          );
        }
      });
    }
  });
}

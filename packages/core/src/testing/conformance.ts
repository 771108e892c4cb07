import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { CaseContext, type ConformanceGroup } from './case.js';
import { CONFORMANCE_GROUPS } from './groups.js';
import { type KernelPaths, pathProblems, pathsBetween } from './paths.js';
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
  /**
   * For a backend with several implementations of a kernel: the paths it declares and how to
   * read which ran (paths.ts). The suite then ends with a check that every declared path was
   * reached by a case and that no undeclared one was taken.
   */
  readonly paths?: KernelPaths;
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
  const paths = options.paths;
  /** Paths each case took, by "group/case" (only with options.paths). */
  const byCase = new Map<string, readonly string[]>();
  let declaredCases = 0;
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
      declaredCases += cases.length;
      describe(group.name, () => {
        for (const c of cases) {
          it(
            c.name,
            async () => {
              if (backend === undefined) throw new Error(`backend '${name}' was not created`);
              const label = `${group.name}/${c.name}`;
              const ctx = new CaseContext(backend, tolerance, seed, label, create);
              const before = paths === undefined ? undefined : new Map(paths.taken(backend));
              try {
                await c.run(ctx);
              } finally {
                await ctx.dispose();
                backend.flush();
              }
              if (paths !== undefined && before !== undefined) {
                byCase.set(label, pathsBetween(before, paths.taken(backend)));
              }
            },
            options.timeout,
          );
        }
      });
    }
    if (paths !== undefined) {
      it('kernel paths: every declared path is reached, no undeclared path is taken', (t) => {
        // With a name filter (-t) only some cases ran, so coverage cannot be judged.
        if (byCase.size < declaredCases) t.skip();
        const problems = pathProblems(paths.declared, byCase);
        if (problems.length > 0) throw new Error(`${name}: ${problems.join('\n')}`);
      });
    }
  });
}

import type { Backend } from '../backend/backend.js';

/**
 * How a backend with several implementations of a kernel (a per-row scan for short rows and a
 * radix select for long ones, tiled and register-blocked matmuls, ...) tells the conformance
 * suite which one ran, so that the suite can prove each is exercised. A fast path the suite
 * never reaches is code no test checks: this is how a new one cannot hide.
 *
 * The backend counts its dispatches by key: `kernel:path` for a kernel with several
 * implementations, the bare kernel name otherwise. After the last case the suite requires
 *   1. every declared key to have been taken by at least one case,
 *   2. every `kernel:path` key taken to be declared, and
 *   3. no bare dispatch of a kernel that has declared paths
 * so a new implementation, named or not, fails the suite until it is declared and a case
 * reaches it. (A kernel with one implementation that gains a second must name both.)
 */
export interface KernelPaths {
  /** Every `kernel:path` this backend (with its current options) can take. */
  readonly declared: readonly string[];
  /** Dispatches per key since the backend was created (cumulative; the suite takes deltas). */
  taken(backend: Backend): ReadonlyMap<string, number>;
}

/** Keys whose count grew between two snapshots of `taken`. */
export function pathsBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): string[] {
  return [...after].filter(([key, n]) => n > (before.get(key) ?? 0)).map(([key]) => key);
}

/** The problems with what the cases took (empty when the three rules above hold). */
export function pathProblems(
  declared: readonly string[],
  byCase: ReadonlyMap<string, readonly string[]>,
): string[] {
  const casesOf = new Map<string, string[]>();
  for (const [name, keys] of byCase) {
    for (const key of keys) casesOf.set(key, [...(casesOf.get(key) ?? []), name]);
  }
  const declaredKernels = new Set(declared.map((key) => key.split(':')[0]));
  const problems: string[] = [];
  for (const key of declared) {
    if (!casesOf.has(key)) problems.push(`declared path '${key}' is reached by no case`);
  }
  for (const [key, cases] of casesOf) {
    const where = `(taken by ${cases.slice(0, 3).join('; ')}${cases.length > 3 ? '; …' : ''})`;
    if (key.includes(':') && !declared.includes(key)) {
      problems.push(`path '${key}' is not declared ${where}`);
    } else if (!key.includes(':') && declaredKernels.has(key)) {
      problems.push(
        `kernel '${key}' has declared paths but dispatched without naming one ${where}`,
      );
    }
  }
  return problems;
}

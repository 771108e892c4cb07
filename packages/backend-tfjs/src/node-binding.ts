import { isNode } from './wasm-paths.js';

/**
 * The optional native packages. Both register the tfjs backend named 'tensorflow' when
 * imported; their install downloads libtensorflow, so saekit never depends on them and loads
 * them only when the user installed one. The specifiers are variables so no bundler or type
 * checker goes looking for packages that are usually absent.
 */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type NativePackage = (typeof NATIVE_PACKAGES)[number];

/** The little of the tfjs-node module saekit reads. */
interface NativeModule {
  readonly version?: Readonly<Record<string, string>>;
}

export interface NativeLoad {
  readonly loaded?: { readonly pkg: NativePackage; readonly version?: string };
  /** Why each package that was tried could not be used. */
  readonly failures: readonly { readonly pkg: NativePackage; readonly reason: string }[];
}

/** Imports tfjs-node-gpu, else tfjs-node; stops at the first that loads. */
export async function loadNativeBinding(): Promise<NativeLoad> {
  const failures: { pkg: NativePackage; reason: string }[] = [];
  if (!isNode()) {
    return { failures: NATIVE_PACKAGES.map((pkg) => ({ pkg, reason: 'needs Node.js' })) };
  }
  for (const pkg of NATIVE_PACKAGES) {
    try {
      const specifier: string = pkg;
      const mod = (await import(specifier)) as NativeModule;
      return { loaded: { pkg, version: mod.version?.['tfjs-node'] }, failures };
    } catch (err) {
      failures.push({ pkg, reason: describeImportFailure(pkg, err) });
    }
  }
  return { failures };
}

function describeImportFailure(pkg: string, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  // Only the package itself missing means "not installed"; a missing file inside it does not.
  if (notFound && message.includes(`'${pkg}'`)) return 'not installed';
  // A missing libtensorflow / CUDA library shows up as a failed dlopen of the binding.
  return `installed but failed to load: ${message.split('\n')[0]}`;
}

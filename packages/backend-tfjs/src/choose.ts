import { BackendUnavailableError } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeBinding } from './node-binding.js';
import { nodeWasmDir } from './wasm-paths.js';

/** The tfjs backends saekit knows how to start, fastest first. */
export type TfjsKind = 'tensorflow' | 'wasm' | 'cpu';
export const DEFAULT_PREFERENCE: readonly TfjsKind[] = ['tensorflow', 'wasm', 'cpu'];

export interface TfjsChoiceOptions {
  /** Tfjs backends to try, in order (default tensorflow > wasm > cpu). */
  readonly prefer?: readonly TfjsKind[];
  /** Where the wasm binaries are (a path or URL prefix ending in '/'); found in node_modules under Node. */
  readonly wasmPaths?: string;
}

/** Which tfjs backend runs the kernels, and why each one tried before it was skipped. */
export interface TfjsChoice {
  readonly kind: TfjsKind;
  /** Human-readable details: the native package loaded, wasm SIMD, ... */
  readonly detail: string;
  readonly skipped: readonly { readonly kind: TfjsKind; readonly reason: string }[];
}

/**
 * Starts the first usable tfjs backend of `prefer` and makes it tfjs's active backend.
 * Throws BackendUnavailableError with every reason when none starts.
 */
export async function chooseTfjsBackend(options: TfjsChoiceOptions = {}): Promise<TfjsChoice> {
  const prefer = options.prefer?.length ? options.prefer : DEFAULT_PREFERENCE;
  const skipped: { kind: TfjsKind; reason: string }[] = [];
  for (const kind of prefer) {
    const attempt = await start(kind, options);
    if (attempt.ok) return { kind, detail: attempt.detail, skipped };
    skipped.push({ kind, reason: attempt.reason });
  }
  throw new BackendUnavailableError(
    'tfjs',
    skipped.map((s) => `${s.kind}: ${s.reason}`).join('; ') || 'no tfjs backend was requested',
  );
}

type Attempt = { ok: true; detail: string } | { ok: false; reason: string };

async function start(kind: TfjsKind, options: TfjsChoiceOptions): Promise<Attempt> {
  if (kind === 'tensorflow') return startNative();
  if (kind === 'wasm') return startWasm(options.wasmPaths);
  if (kind === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    const r = await activate('cpu');
    return r.ok ? { ok: true, detail: 'tfjs cpu (plain JavaScript kernels)' } : r;
  }
  return {
    ok: false,
    reason: `unknown tfjs backend '${String(kind)}' (known: ${DEFAULT_PREFERENCE.join(', ')})`,
  };
}

async function startNative(): Promise<Attempt> {
  if (tf.findBackendFactory('tensorflow') === null) {
    const load = await loadNativeBinding();
    const tried = load.failures.map((f) => `${f.pkg} ${f.reason}`).join(', ');
    if (!load.loaded) {
      return {
        ok: false,
        reason: `${tried} (optional peers; their install downloads libtensorflow)`,
      };
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      // The package loaded but registered into another copy of @tensorflow/tfjs-core.
      return {
        ok: false,
        reason: `${load.loaded.pkg} loaded but its @tensorflow/tfjs-core is not the one saekit uses (install matching 4.22.x versions)`,
      };
    }
    const r = await activate('tensorflow');
    if (!r.ok) return r;
    // A GPU package that failed before the CPU one loaded is worth saying (no CUDA, say).
    const passedOver = tried ? ` (${tried})` : '';
    const version = load.loaded.version ? ` ${load.loaded.version}` : '';
    return { ok: true, detail: `${load.loaded.pkg}${version}${passedOver}` };
  }
  const r = await activate('tensorflow');
  return r.ok ? { ok: true, detail: 'tensorflow backend registered by the application' } : r;
}

async function startWasm(wasmPaths: string | undefined): Promise<Attempt> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (tf.engine().registry['wasm'] === undefined) {
    // Paths and threading are read when the module initializes, so set them before that.
    const dir = wasmPaths ?? (await nodeWasmDir());
    if (dir !== undefined) wasm.setWasmPaths(dir);
    // The threaded build needs workers and cross-origin isolation; saekit runs single-threaded.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const r = await activate('wasm');
  if (!r.ok) return r;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { ok: true, detail: `tfjs wasm, ${simd ? 'SIMD' : 'no SIMD'}, single-threaded` };
}

/**
 * tf.setBackend reports a failed start only through console.warn and a `false`, so the
 * warnings are collected to give the caller a reason.
 */
async function activate(name: string): Promise<Attempt> {
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warned.push(args.map(String).join(' '));
  };
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    if (ok) await tf.ready();
  } catch (err) {
    warned.push(err instanceof Error ? err.message : String(err));
  } finally {
    console.warn = warn;
  }
  // Warnings that were not about a failure (tfjs's "install tfjs-node" hint) are passed on.
  if (ok) {
    for (const w of warned) warn(w);
    return { ok: true, detail: name };
  }
  const reason = warned
    .map((w) => w.split('\n')[0])
    .filter(Boolean)
    .slice(0, 2)
    .join(': ');
  return { ok: false, reason: reason || `tf.setBackend('${name}') failed` };
}

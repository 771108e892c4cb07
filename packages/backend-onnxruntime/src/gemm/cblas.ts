import { createRequire } from 'node:module';
import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { addBiasRows, type GemmProvider, type Product } from './product.js';

/**
 * Where a CBLAS library usually is, by platform: OpenBLAS (what Debian's and conda's PyTorch
 * and NumPy use), MKL, BLIS, and Apple's Accelerate. The first that loads and exports
 * cblas_sgemm wins. `SAEKIT_CBLAS` names another library; `SAEKIT_CBLAS=none` skips them.
 */
export const CBLAS_CANDIDATES: Readonly<Record<string, readonly string[]>> = {
  linux: ['libopenblas.so.0', 'libopenblas.so', 'libmkl_rt.so.2', 'libmkl_rt.so', 'libblis.so.4'],
  darwin: [
    '/System/Library/Frameworks/Accelerate.framework/Accelerate',
    '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
    '/usr/local/opt/openblas/lib/libopenblas.dylib',
  ],
  win32: ['libopenblas.dll', 'openblas.dll', 'mkl_rt.2.dll'],
};

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

type Sgemm = (
  order: number,
  transA: number,
  transB: number,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

type Sgemv = (
  order: number,
  trans: number,
  M: number,
  N: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  x: Float32Array,
  incX: number,
  beta: number,
  y: Float32Array,
  incY: number,
) => void;

interface KoffiLib {
  func(signature: string): (...args: unknown[]) => unknown;
}
interface Koffi {
  load(path: string): KoffiLib;
}

/** A loaded library: its sgemm, and the reasons the candidates before it failed. */
export interface LoadedCblas {
  readonly sgemm: Sgemm;
  /** cblas_sgemv where the library exports it: products with one output row. */
  readonly sgemv?: Sgemv;
  readonly library: string;
  /** e.g. 'OpenBLAS 0.3.21 (Cooperlake)', or the library's file name where it cannot say. */
  readonly description: string;
  /** Sets the library's thread count where it exports a way to (OpenBLAS, MKL, BLIS). */
  readonly setThreads?: (n: number) => void;
}

function optional(lib: KoffiLib, signature: string): ((...args: unknown[]) => unknown) | undefined {
  try {
    return lib.func(signature);
  } catch {
    return undefined;
  }
}

let koffi: Koffi | Error | undefined;

function loadKoffi(): Koffi | Error {
  if (koffi !== undefined) return koffi;
  try {
    const require = createRequire(import.meta.url);
    koffi = require('koffi') as Koffi;
  } catch (err) {
    koffi = new Error(
      `koffi (the FFI that calls CBLAS) has no binary for ${process.platform}-${process.arch}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    );
  }
  return koffi;
}

/**
 * The first CBLAS library that loads, or every candidate's reason for not loading. Nothing is
 * downloaded: these are libraries the system (or a Python install) already has.
 */
export function loadCblas(
  candidates: readonly string[] = cblasCandidates(),
): LoadedCblas | { readonly reasons: readonly string[] } {
  const ffi = loadKoffi();
  if (ffi instanceof Error) return { reasons: [ffi.message] };
  // OpenBLAS's idle threads spin (sched_yield) for up to 2^28 cycles after each product,
  // competing for cores with this backend's pool, which works between products; 2^4 makes
  // them sleep at once. It is read when the library loads, and a user's setting is kept.
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '4';
  const reasons: string[] = [];
  for (const library of candidates) {
    let lib: KoffiLib;
    try {
      lib = ffi.load(library);
    } catch (err) {
      reasons.push(
        `${library}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
      continue;
    }
    const sgemm = optional(
      lib,
      'void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)',
    );
    if (sgemm === undefined) {
      reasons.push(`${library}: loads but has no cblas_sgemm`);
      continue;
    }
    const sgemv = optional(
      lib,
      'void cblas_sgemv(int order, int trans, int M, int N, float alpha, const float *a, int lda, const float *x, int incX, float beta, float *y, int incY)',
    );
    const config = optional(lib, 'const char *openblas_get_config()');
    const core = optional(lib, 'const char *openblas_get_corename()');
    const description =
      config !== undefined
        ? `${String(config()).split(' ').slice(0, 2).join(' ')}${core === undefined ? '' : ` (${String(core())})`}`
        : (library.split('/').pop() ?? library);
    const threads =
      optional(lib, 'void openblas_set_num_threads(int n)') ??
      optional(lib, 'int MKL_Set_Num_Threads(int n)') ??
      optional(lib, 'void bli_thread_set_num_threads(long n)');
    return {
      sgemm: sgemm as Sgemm,
      sgemv: sgemv as Sgemv | undefined,
      library,
      description,
      setThreads: threads === undefined ? undefined : (n) => void threads(n),
    };
  }
  return { reasons };
}

/** `SAEKIT_CBLAS` if set (`none`: no candidates), else this platform's usual names. */
export function cblasCandidates(): readonly string[] {
  const named = process.env.SAEKIT_CBLAS;
  if (named !== undefined && named !== '') return named === 'none' ? [] : [named];
  return CBLAS_CANDIDATES[process.platform] ?? [];
}

/** How a loaded library is named in the backend's device string. */
export function cblasLabel(lib: LoadedCblas): string {
  return `${lib.description} via ${lib.library}`;
}

/**
 * Dense products on a CBLAS library, reading and writing the heap in place (koffi passes a
 * typed array's memory as the pointer, shared or not). Measured on the 2-core AMD EPYC
 * development machine, OpenBLAS's sgemm ran the [4096,768]×[768,16384] encoder product at
 * 1.6–1.9× MLAS's speed (README: benchmark), the gap onnxruntime#15908 reports on AMD CPUs.
 * A bias is broadcast into out's rows first (on the pool's threads) and added with beta = 1.
 * A product with one output row (∂b_dec = −W_encᵀ·∂b_enc in every Top-K step) runs as sgemv:
 * sgemm would first pack all of b, a copy as large as the [m, d] weight, for one row.
 */
export class CblasGemm implements GemmProvider {
  readonly variant = 'cblas';
  readonly label: string;

  constructor(
    readonly lib: LoadedCblas,
    threads: number,
  ) {
    lib.setThreads?.(threads);
    this.label = cblasLabel(lib);
  }

  run(ctx: OrtContext, out: Tensor, a: Tensor, b: Tensor, p: Product): void {
    const { ac, bc, M, N, K, transA, transB, alpha, accumulate, bias } = p;
    const o = ctx.f32(out);
    let beta = accumulate ? 1 : 0;
    if (bias !== undefined && !accumulate) {
      ctx.fillRows(out, bias, M, N);
      beta = 1;
    }
    const { sgemv } = this.lib;
    if (M === 1 && N > 0 && K > 0 && sgemv !== undefined) {
      // op(a) is one contiguous row of K whether a is [1, K] or [K, 1]. b as stored is
      // [K, N] (out = bᵀ·a: Trans) or, with transB, [N, K] (out = b·a: NoTrans).
      const bm = ctx.f32(b);
      sgemv(
        ROW_MAJOR,
        transB ? NO_TRANS : TRANS,
        p.br,
        bc,
        alpha,
        bm,
        bc,
        ctx.f32(a),
        1,
        beta,
        o,
        1,
      );
    } else {
      this.lib.sgemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        M,
        N,
        K,
        alpha,
        ctx.f32(a),
        ac,
        ctx.f32(b),
        bc,
        beta,
        o,
        N,
      );
    }
    if (accumulate && bias !== undefined) addBiasRows(o, ctx.f32(bias), M, N);
  }

  destroy(): void {}
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The exports of native/kernels.c (see that file for each kernel's math). Pointers are byte offsets. */
export interface WasmKernels {
  gather_sum(
    out: number,
    vals: number,
    idx: number,
    w: number,
    bias: number,
    B: number,
    k: number,
    d: number,
  ): void;
  gather_dot(out: number, x: number, idx: number, w: number, B: number, k: number, d: number): void;
  scatter_outer_add(
    w: number,
    start: number,
    order: number,
    vals: number,
    x: number,
    m: number,
    k: number,
    d: number,
  ): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    scale: number,
    b1: number,
    b2: number,
    lrT: number,
    epsT: number,
  ): void;
  remove_parallel(grad: number, w: number, m: number, d: number): void;
  normalize_rows(w: number, m: number, d: number): void;
  reduce_sum(x: number, n: number, squares: number): number;
  axpby(
    out: number,
    a: number,
    x: number,
    b: number,
    y: number,
    n: number,
    cols: number,
    broadcast: number,
  ): void;
  topk_rows_listed(
    vals: number,
    idx: number,
    s: number,
    B: number,
    m: number,
    k: number,
    cols: number,
    nc: number,
    hv: number,
    hi: number,
  ): void;
  topk_rows(
    vals: number,
    idx: number,
    s: number,
    B: number,
    m: number,
    k: number,
    hv: number,
    hi: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;

/** The committed module's path (src/ and dist/ both sit one level under the package). */
export const WASM_PATH = fileURLToPath(new URL('../native/kernels.wasm', import.meta.url));

/** The SIMD kernels instantiated over a heap's memory (compiled once per process). */
export function instantiateKernels(memory: WebAssembly.Memory): WasmKernels {
  compiled ??= new WebAssembly.Module(readFileSync(WASM_PATH));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as WasmKernels;
}

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
  gather_sum_rows(
    out: number,
    vals: number,
    idx: number,
    w: number,
    bias: number,
    B: number,
    k: number,
    d: number,
    m: number,
    start: number,
    order: number,
    fill: number,
  ): void;
  gather_dot_rows(
    out: number,
    start: number,
    order: number,
    x: number,
    w: number,
    m: number,
    k: number,
    d: number,
  ): void;
  zero_empty_slots(out: number, idx: number, n: number): void;
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
  reduce_blocks(x: number, n: number, squares: number, out: number): void;
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
  fill_rows(out: number, row: number, M: number, N: number): void;
  mask_positive(out: number, grad: number, ref: number, n: number): void;
  fill_words(out: number, value: number, n: number): void;
  scatter_add(out: number, idx: number, vals: number, n: number, m: number, acc: number): void;
  first_row_past(idx: number, n: number, rows: number): number;
  bucket_rows(idx: number, n: number, m: number, start: number, order: number, fill: number): void;
  column_sums_f64(x: number, R: number, C: number, br: number, out: number): void;
  centered_squares_f64(
    x: number,
    R: number,
    C: number,
    br: number,
    mean: number,
    out: number,
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
    cand: number,
  ): number;
}

export type WasmKernelName = keyof WasmKernels;

/** Every export, in a fixed order: the pool's workers call kernels by index into this list. */
export const WASM_KERNEL_NAMES: readonly WasmKernelName[] = [
  'gather_sum',
  'gather_dot',
  'scatter_outer_add',
  'adam',
  'remove_parallel',
  'normalize_rows',
  'reduce_blocks',
  'axpby',
  'fill_rows',
  'mask_positive',
  'fill_words',
  'scatter_add',
  'first_row_past',
  'bucket_rows',
  'column_sums_f64',
  'centered_squares_f64',
  'topk_rows_listed',
  'topk_rows',
  'gather_sum_rows',
  'gather_dot_rows',
  'zero_empty_slots',
];

let compiled: WebAssembly.Module | undefined;

/** The committed module's path (src/ and dist/ both sit one level under the package). */
export const WASM_PATH = fileURLToPath(new URL('../native/kernels.wasm', import.meta.url));

/** The compiled kernels module (once per process; workers receive it, not the bytes). */
export function kernelsModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(WASM_PATH));
  return compiled;
}

/** The SIMD kernels instantiated over a heap's (shared) memory. */
export function instantiateKernels(memory: WebAssembly.Memory): WasmKernels {
  return new WebAssembly.Instance(kernelsModule(), { env: { memory } })
    .exports as unknown as WasmKernels;
}

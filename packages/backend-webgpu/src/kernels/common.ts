import { asMatrix, type DeviceScale, type Scale, type Tensor } from '@saekit/core';
import type { Binding, BindingKind, GpuRuntime, ParamWriter, ShaderSpec } from '../runtime.js';
import type { GpuTensor } from '../tensor.js';

/** Threads per workgroup for one-dimensional kernels. */
export const WG = 256;

/** WGSL: the flat invocation index of a 1-D kernel launched on a 2-D grid (see `launch`). */
export const FLAT_INDEX = /* wgsl */ `
fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * ${WG}u; }
fn flatGroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.x + wid.y * nwg.x; }
`;

/** Workgroups for `n` invocations of a 1-D kernel. */
export function launch(rt: GpuRuntime, n: number): [number, number] {
  return rt.grid(Math.ceil(n / WG));
}

/** The buffer behind a tensor core has already validated as one of this backend's. */
export function gpu(t: Tensor): GpuTensor {
  return t as GpuTensor;
}

/** A sparse code's [B, k] (from its indices) and its weight's [m, d]. */
export function sparseDims(
  indices: Tensor,
  weight: Tensor,
): { B: number; k: number; m: number; d: number } {
  const [B, k] = asMatrix(indices);
  const [m, d] = asMatrix(weight);
  return { B, k, m, d };
}

export function matrix(t: Tensor): [number, number] {
  return asMatrix(t);
}

/** WGSL element type of a tensor. */
export function wgslType(t: Tensor): 'f32' | 'i32' {
  return t.dtype === 'float32' ? 'f32' : 'i32';
}

/**
 * WGSL for one Scale read at run time: constant, or numerator / f(src[index]) clamped to max
 * and 0 when src[index] is not > 0 (DeviceScale in @saekit/core).
 */
export function scaleWgsl(name: string, src: string): string {
  return /* wgsl */ `
fn ${name}(mode: u32, num: f32, index: u32, useSqrt: u32, hasMax: u32, maxv: f32) -> f32 {
  if (mode == 0u) { return num; }
  let raw = ${src}[index];
  if (!(raw > 0.0)) { return 0.0; }
  var den = raw;
  if (useSqrt != 0u) { den = sqrt(raw); }
  var v = num / den;
  if (hasMax != 0u) { v = min(maxv, v); }
  return v;
}`;
}

/** Six parameter words for `scaleWgsl`, in its argument order. */
export function writeScale(p: ParamWriter, s: Scale): void {
  if (typeof s === 'number') {
    p.u32(0).f32(s).u32(0).u32(0).u32(0).f32(0);
    return;
  }
  const d: DeviceScale = s;
  p.u32(1)
    .f32(d.numerator)
    .u32(d.index)
    .u32(d.sqrt ? 1 : 0)
    .u32(d.max === undefined ? 0 : 1)
    .f32(d.max ?? 0);
}

/** The tensor a Scale reads, or `fallback` for a constant (the binding must exist). */
export function scaleSource(s: Scale, fallback: GpuTensor): GpuTensor {
  return typeof s === 'number' ? fallback : gpu(s.source);
}

/** One tensor argument of an aliasable kernel, as its WGSL body names it. */
export interface Operand {
  readonly name: string;
  readonly kind: BindingKind;
  readonly type: 'f32' | 'i32';
  readonly tensor: Binding;
}

const aliasedSpecs = new Map<string, ShaderSpec>();

/**
 * For kernels whose contract lets `out` alias an input. WebGPU refuses one buffer in two
 * bindings when either is writable, so every distinct buffer gets one binding (read_write if
 * any operand on it is written) and the body's `name[` accesses are renamed to it: the
 * in-place variant is generated from the same body. `body` must end with the entry point;
 * `paramsStruct` declares `struct P`.
 */
export function aliasedDispatch(
  rt: GpuRuntime,
  kernel: string,
  operands: readonly Operand[],
  paramsStruct: string,
  body: string,
  workgroups: readonly [number, number?, number?],
  p: ParamWriter,
): void {
  const unique: Binding[] = [];
  const slot: number[] = [];
  for (const o of operands) {
    let s = unique.findIndex((u) => u.buffer === o.tensor.buffer);
    if (s < 0) {
      s = unique.length;
      unique.push(o.tensor);
    }
    slot.push(s);
  }
  const key = `${kernel}|${body.length}|${operands.map((o) => o.type).join()}|${slot.join()}`;
  let spec = aliasedSpecs.get(key);
  if (!spec) {
    const kinds: BindingKind[] = unique.map((_, u) =>
      operands.some((o, i) => slot[i] === u && o.kind === 'rw') ? 'rw' : 'read',
    );
    const decls = unique.map((_, u) => {
      const type = operands[slot.indexOf(u)].type;
      const access = kinds[u] === 'rw' ? 'read_write' : 'read';
      return `@group(0) @binding(${u}) var<storage, ${access}> b${u}: array<${type}>;`;
    });
    let code = body;
    operands.forEach((o, i) => {
      code = code.replace(new RegExp(`\\b${o.name}\\[`, 'g'), `b${slot[i]}[`);
    });
    spec = {
      kernel,
      bindings: kinds,
      params: true,
      code: `${paramsStruct}\n${decls.join('\n')}\n@group(0) @binding(${unique.length}) var<uniform> p: P;\n${code}`,
    };
    aliasedSpecs.set(key, spec);
  }
  rt.dispatch(spec, unique, workgroups, p);
}

import { ShapeError } from '@saekit/core';
import { WebGpuError } from './errors.js';
import type { BindingKind, ShaderSpec } from './runtime.js';

/*
 * Tensors larger than maxStorageBufferBindingSize live in one GPUBuffer (up to maxBufferSize)
 * and are bound as several consecutive, non-overlapping windows. The shader is rewritten
 * once per window layout: the array's declaration becomes one declaration per window, and
 * every `name[i]` read or `name[i] = v` write goes through a helper that picks the window
 * by index. Kernels stay written for one flat array; only dispatches that meet a big tensor
 * pay for the window choice.
 */

/** One binding as the runtime sees it: a buffer and the bytes of it the shader may use. */
export interface WindowedBinding {
  readonly buffer: GPUBuffer;
  readonly size: number;
}

export interface BoundWindow {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

interface Declaration {
  readonly binding: number;
  readonly access: string;
  readonly name: string;
  readonly type: string;
}

const DIRECTIVE = /^\s*(enable|requires|diagnostic)\b[^;]*;/gm;
const DECL = /@group\(0\)\s*@binding\((\d+)\)\s*var<([^>]*)>\s*(\w+)\s*:\s*([^;]+);/g;

/** Bytes per element of a storage array type (`array<f32>`, `array<vec4<f32>>`, ...). */
function elementBytes(type: string): number {
  const inner = /^array<(.+)>$/.exec(type.trim())?.[1] ?? '';
  if (/^(f32|i32|u32|atomic<[iu]32>)$/.test(inner)) return 4;
  if (/^vec4<(f32|i32|u32)>$/.test(inner)) return 16;
  throw new WebGpuError(`webgpu windows: unsupported storage array type '${type}'`);
}

/** Window size in bytes: the largest offset-aligned size within the binding limit. */
export function windowBytes(maxBinding: number, offsetAlign: number): number {
  const align = Math.max(256, offsetAlign);
  return Math.floor(maxBinding / align) * align;
}

/** How many windows each binding needs (1 for everything within the binding limit). */
export function windowCounts(
  bindings: readonly WindowedBinding[],
  maxBinding: number,
  window: number,
): number[] {
  return bindings.map((b) => (b.size > maxBinding ? Math.ceil(b.size / window) : 1));
}

/** The windows of every binding, in binding order (the bind group's storage entries). */
export function splitBindings(
  bindings: readonly WindowedBinding[],
  counts: readonly number[],
  window: number,
): BoundWindow[] {
  const out: BoundWindow[] = [];
  bindings.forEach((b, i) => {
    if (counts[i] === 1) {
      out.push({ buffer: b.buffer, offset: 0, size: b.size });
      return;
    }
    for (let w = 0; w < counts[i]; w++) {
      const offset = w * window;
      out.push({ buffer: b.buffer, offset, size: Math.min(window, b.size - offset) });
    }
  });
  return out;
}

/** Index of the `]` matching the `[` at `open`. */
function closingBracket(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '[') depth++;
    else if (code[i] === ']' && --depth === 0) return i;
  }
  throw new WebGpuError('webgpu windows: unbalanced brackets in shader');
}

/** Index of the `;` ending the statement that starts at `from` (outside brackets). */
function statementEnd(code: string, from: number): number {
  let depth = 0;
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ';' && depth === 0) return i;
  }
  throw new WebGpuError('webgpu windows: unterminated statement in shader');
}

/** Rewrites every access to the windowed arrays in `names` into helper calls. */
function rewriteAccesses(code: string, names: ReadonlySet<string>, kernel: string): string {
  if (names.size === 0) return code;
  const pattern = new RegExp(`\\b(${[...names].join('|')})\\[`, 'g');
  let out = '';
  let at = 0;
  for (;;) {
    pattern.lastIndex = at;
    const m = pattern.exec(code);
    if (!m) return out + code.slice(at);
    const name = m[1];
    const open = m.index + name.length;
    const close = closingBracket(code, open);
    if (/(^|[^&])&\s*$/.test(code.slice(0, m.index))) {
      throw new ShapeError(
        `webgpu ${kernel}: an atomic array over maxStorageBufferBindingSize cannot be split`,
      );
    }
    const index = `u32(${rewriteAccesses(code.slice(open + 1, close), names, kernel)})`;
    out += code.slice(at, m.index);
    const rest = code.slice(close + 1);
    const assign = /^\s*([-+*/]?)=(?!=)/.exec(rest);
    if (assign) {
      const valueStart = close + 1 + assign[0].length;
      const end = statementEnd(code, valueStart);
      const value = rewriteAccesses(code.slice(valueStart, end), names, kernel).trim();
      const op = assign[1];
      const stored = op ? `${name}_ld(${index}) ${op} (${value})` : value;
      out += `${name}_st(${index}, ${stored})`;
      at = end;
    } else {
      out += `${name}_ld(${index})`;
      at = close + 1;
    }
  }
}

function helpers(d: Declaration, count: number, perWindow: number): string {
  const elem = /^array<(.+)>$/.exec(d.type.trim())?.[1] ?? 'f32';
  const pick = (i: number) => (i === 0 ? 'i' : `i - ${i * perWindow}u`);
  const load: string[] = [];
  const store: string[] = [];
  for (let w = 0; w < count - 1; w++) {
    load.push(`if (i < ${(w + 1) * perWindow}u) { return ${d.name}_w${w}[${pick(w)}]; }`);
    store.push(`if (i < ${(w + 1) * perWindow}u) { ${d.name}_w${w}[${pick(w)}] = v; return; }`);
  }
  const last = count - 1;
  load.push(`return ${d.name}_w${last}[${pick(last)}];`);
  store.push(`${d.name}_w${last}[${pick(last)}] = v;`);
  let code = `fn ${d.name}_ld(i: u32) -> ${elem} {\n  ${load.join('\n  ')}\n}\n`;
  if (d.access.includes('read_write')) {
    code += `fn ${d.name}_st(i: u32, v: ${elem}) {\n  ${store.join('\n  ')}\n}\n`;
  }
  return code;
}

/**
 * The shader for one window layout: `counts[i]` windows for storage binding i, each
 * `window` bytes except the last. The params uniform follows the last window.
 */
export function windowedSpec(
  spec: ShaderSpec,
  counts: readonly number[],
  window: number,
): ShaderSpec {
  const decls: Declaration[] = [];
  for (const m of spec.code.matchAll(DECL)) {
    decls.push({ binding: Number(m[1]), access: m[2], name: m[3], type: m[4] });
  }
  const storage = spec.bindings.length;
  const first = new Array<number>(storage + 1);
  let next = 0;
  for (let i = 0; i < storage; i++) {
    first[i] = next;
    next += counts[i];
  }
  first[storage] = next;
  const kinds: BindingKind[] = spec.bindings.flatMap((k, i) =>
    new Array<BindingKind>(counts[i]).fill(k),
  );
  const split = new Set<string>();
  const declText: string[] = [];
  const helperText: string[] = [];
  for (const d of decls) {
    const count = d.binding < storage ? counts[d.binding] : 1;
    const base = first[d.binding];
    if (count === 1) {
      declText.push(`@group(0) @binding(${base}) var<${d.access}> ${d.name}: ${d.type};`);
      continue;
    }
    split.add(d.name);
    for (let w = 0; w < count; w++) {
      declText.push(`@group(0) @binding(${base + w}) var<${d.access}> ${d.name}_w${w}: ${d.type};`);
    }
    helperText.push(helpers(d, count, window / elementBytes(d.type)));
  }
  let body = spec.code.replace(DECL, '');
  // Directives (`enable subgroups;`) must stay before every declaration.
  const directives = body.match(DIRECTIVE) ?? [];
  body = rewriteAccesses(body.replace(DIRECTIVE, ''), split, spec.kernel);
  // WGSL allows module-scope declarations in any order, so they and the helpers go first.
  return {
    kernel: spec.kernel,
    path: spec.path,
    bindings: kinds,
    params: spec.params,
    code: `${directives.join('\n')}\n${declText.join('\n')}\n${helperText.join('\n')}\n${body}`,
  };
}

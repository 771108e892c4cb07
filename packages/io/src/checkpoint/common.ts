import { readFile } from 'node:fs/promises';
import type { JsonObject } from '@saekit/core';
import { FormatError } from '../errors.js';
import type { TensorData } from '../formats/safetensors.js';

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[base + c];
  }
  return out;
}

export async function readJsonObject(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new FormatError(path, `cannot read (${(cause as Error).message})`, { cause });
  }
  return parseJsonObject(text, path);
}

/** `text` parsed as a JSON object, or a FormatError naming `file`. */
export function parseJsonObject(text: string, file: string): JsonObject {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FormatError(file, `not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FormatError(file, 'not a JSON object');
  }
  return json as JsonObject;
}

/** A float tensor of exactly `shape`, as Float32 (any float dtype on disk). */
export function floatTensor(
  tensors: Readonly<Record<string, TensorData>>,
  name: string,
  shape: readonly number[],
  file: string,
): Float32Array {
  const t = tensors[name];
  if (t === undefined) {
    throw new FormatError(
      file,
      `missing tensor '${name}' (has ${Object.keys(tensors).join(', ') || 'none'})`,
    );
  }
  if (!(t.data instanceof Float32Array) || t.dtype === 'C64') {
    throw new FormatError(file, `tensor '${name}' must be floating point, not ${t.dtype}`);
  }
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new FormatError(file, `tensor '${name}' has shape [${t.shape}], expected [${shape}]`);
  }
  return t.data;
}

export function intField(cfg: JsonObject, key: string, file: string): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new FormatError(file, `'${key}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Float dtype names as SAELens and torch spell them, and the safetensors dtype of each. */
export const TORCH_DTYPES = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' } as const;
export type SaveDtype = keyof typeof TORCH_DTYPES;

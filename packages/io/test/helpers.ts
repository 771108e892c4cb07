import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend, evaluateSae, Sae, type SaeWeights } from '@saekit/core';
import expectedJson from './fixtures/expected.json';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

interface Expected {
  shape: number[];
  values: (number | string)[];
}

const SPECIAL: Record<string, number> = {
  inf: Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  nan: Number.NaN,
};

/** Values numpy recorded for a fixture, with "inf"/"-inf"/"nan" turned back into numbers. */
export function expected(name: string): { shape: number[]; values: number[] } {
  const e = (expectedJson as Record<string, Expected>)[name];
  if (e === undefined) throw new Error(`no expected values for ${name}`);
  return { shape: e.shape, values: e.values.map((v) => (typeof v === 'string' ? SPECIAL[v] : v)) };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'saekit-io-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deterministic pseudo-random floats for round-trip tests. */
export function randomFloats(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 8;
  }
  return out;
}

/** An SAE's evaluation on core's cpu backend, over batches of held-out activations. */
export async function evaluateOnCpu(w: SaeWeights, batches: Float32Array[]) {
  const backend = createCpuBackend();
  const sae = Sae.fromWeights(backend, w);
  try {
    return await evaluateSae(backend, sae, batches);
  } finally {
    sae.dispose();
  }
}

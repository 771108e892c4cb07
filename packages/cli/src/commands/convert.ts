import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatRefusal, type SaveDtype, saveSae } from '@saekit/io';
import { UsageError } from '../errors.js';
import { loadSaeForCommand } from '../load-sae.js';

export interface ConvertOptions {
  from: string;
  to: string;
  format: 'saelens' | 'sparsify' | 'gemma-scope';
  force?: boolean;
  hookpoint?: string;
  /** On-disk float precision; default float32 (exact). */
  dtype?: SaveDtype;
}

const MAIN_FILE = {
  saelens: 'sae_weights.safetensors',
  sparsify: 'sae.safetensors',
  'gemma-scope': 'params.npz',
} as const;

export async function runConvert(o: ConvertOptions): Promise<void> {
  const loaded = await loadSaeForCommand(o.from, o.hookpoint);
  const w = loaded.weights;
  const refusal = formatRefusal(o.format, w);
  if (refusal !== null) throw new UsageError('--format', refusal);
  const dtype = o.dtype ?? 'float32';
  if (o.format === 'gemma-scope' && dtype !== 'float32') {
    throw new UsageError('--dtype', 'gemma-scope params.npz is written as float32 only');
  }
  const target =
    o.format === 'gemma-scope' && o.to.endsWith('.npz') ? o.to : join(o.to, MAIN_FILE[o.format]);
  if (existsSync(target) && !o.force) {
    throw new UsageError('--to', `${target} exists; pass --force to overwrite`);
  }
  await saveSae(o.to, w, {
    format: o.format,
    ...(loaded.sparsity && { sparsity: loaded.sparsity }),
    // The training context, including what older configs kept at their top level.
    metadata: loaded.metadata,
    dtype,
  });
  process.stderr.write(
    `converted ${o.from} (${loaded.format}, ${w.architecture}, ${w.dIn} → ${w.dSae}) to ${o.format} (${dtype}) in ${o.to}\n`,
  );
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSae, saveSae } from '@saekit/io';
import { UsageError } from '../errors.js';

export interface ConvertOptions {
  from: string;
  to: string;
  format: 'saelens' | 'sparsify';
  force?: boolean;
}

const MAIN_FILE = { saelens: 'sae_weights.safetensors', sparsify: 'sae.safetensors' } as const;

export async function runConvert(o: ConvertOptions): Promise<void> {
  const loaded = await loadSae(o.from);
  const target = join(o.to, MAIN_FILE[o.format]);
  if (existsSync(target) && !o.force) {
    throw new UsageError('--to', `${target} exists; pass --force to overwrite`);
  }
  const w = loaded.weights;
  if (o.format === 'sparsify' && w.architecture !== 'topk') {
    throw new UsageError(
      '--format',
      `sparsify holds Top-K SAEs only; this SAE is ${w.architecture}`,
    );
  }
  await saveSae(o.to, w, { format: o.format });
  process.stderr.write(
    `converted ${o.from} (${loaded.format}, ${w.architecture}, ${w.dIn} → ${w.dSae}) to ${o.format} in ${o.to}\n`,
  );
}

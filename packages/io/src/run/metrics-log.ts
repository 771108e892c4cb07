import { appendFile, readFile } from 'node:fs/promises';
import type { MetricsRecord } from '@saekit/core';
import { writeFileAtomic } from '../util/atomic.js';
import { asFileSystemError } from '../util/fs-errors.js';

/**
 * Starts a run's metrics.jsonl: empty, or (a resumed run) with the records up to
 * `keepThrough`, so the steps trained again after that checkpoint are not listed twice.
 */
export async function openMetricsLog(path: string, keepThrough: number | null): Promise<void> {
  const kept =
    keepThrough === null ? [] : (await readMetricsIfAny(path)).filter((r) => r.step <= keepThrough);
  await writeFileAtomic(path, [new TextEncoder().encode(kept.map(line).join(''))]);
}

/** Appends one record; each is on disk as soon as it is logged, so a killed run keeps them. */
export async function appendMetrics(path: string, record: MetricsRecord): Promise<void> {
  try {
    await appendFile(path, line(record));
  } catch (err) {
    throw asFileSystemError(err, path, 'append to');
  }
}

/** Reads a metrics.jsonl, skipping blank lines and a torn last line from a killed run. */
export async function readMetrics(path: string): Promise<MetricsRecord[]> {
  return parseMetrics(await readFile(path, 'utf8'));
}

export function parseMetrics(text: string): MetricsRecord[] {
  const out: MetricsRecord[] = [];
  for (const l of text.split('\n')) {
    if (l.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(l);
      if (
        v !== null &&
        typeof v === 'object' &&
        typeof (v as { step?: unknown }).step === 'number'
      ) {
        out.push(v as MetricsRecord);
      }
    } catch {
      // A torn line (the process was killed mid-append) carries nothing worth keeping.
    }
  }
  return out;
}

async function readMetricsIfAny(path: string): Promise<MetricsRecord[]> {
  try {
    return await readMetrics(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw asFileSystemError(error, path, 'read');
  }
}

function line(record: MetricsRecord): string {
  return `${JSON.stringify(record)}\n`;
}

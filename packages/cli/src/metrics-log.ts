import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { asFileSystemError, tempPathFor } from '@saekit/io';

/** One line of metrics.jsonl. The snake_case keys are the contract scripts read. */
export interface MetricsRecord {
  step: number;
  tokens: number;
  fvu: number;
  mse: number;
  l0: number;
  dead_frac: number;
  auxk: number;
  lr: number;
  tokens_per_s: number;
  elapsed_s: number;
  [key: string]: number;
}

/**
 * The JSON-lines metrics log of a training run. Each record is appended (and flushed by the
 * OS) as soon as it is logged, so a killed run keeps everything it logged.
 */
export class MetricsLog {
  constructor(readonly path: string) {}

  /**
   * Starts the log for a run: empty for a fresh run; for a resumed run, the records up to
   * the checkpoint's step, so steps logged after that checkpoint are not duplicated.
   */
  static open(path: string, resumeFromStep?: number): MetricsLog {
    const log = new MetricsLog(path);
    const kept =
      resumeFromStep === undefined || !existsSync(path)
        ? []
        : readMetrics(path).filter((r) => r.step <= resumeFromStep);
    const tmp = tempPathFor(path);
    try {
      writeFileSync(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
      renameSync(tmp, path);
    } catch (err) {
      throw asFileSystemError(err, path, 'write');
    }
    return log;
  }

  append(record: MetricsRecord): void {
    try {
      appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    } catch (err) {
      throw asFileSystemError(err, this.path, 'append to');
    }
  }
}

/** Reads a metrics.jsonl, skipping blank lines and a torn last line from a killed run. */
export function readMetrics(path: string): MetricsRecord[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: MetricsRecord[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
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

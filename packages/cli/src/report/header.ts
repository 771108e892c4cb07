import type { Json, JsonObject } from '@saekit/core';

/** One labelled value of the report header; `field` is a stable key for tests and readers. */
export interface HeaderRow {
  readonly field: string;
  readonly label: string;
  readonly value: string;
}

export interface HeaderGroup {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly HeaderRow[];
  /** Shown under the table, e.g. where the numbers come from. */
  readonly note?: string;
}

export interface HeldOutNumbers {
  readonly source: string;
  readonly tokens: number;
  readonly fvu: number;
  readonly mse: number;
  readonly l0: number;
  readonly deadFraction: number;
  readonly denseFraction: number;
}

export interface RecoveryNumbers {
  readonly source: string;
  readonly mmcs: number;
  readonly recovered: number;
  readonly trueFeatures: number;
}

export interface HeaderInput {
  readonly path: string;
  readonly format: string;
  readonly architecture: string;
  readonly dIn: number;
  readonly dSae: number;
  readonly k?: number;
  /** The checkpoint's cfg.json as stored. */
  readonly cfg: JsonObject;
  /** Training context (model_name, hook_name, dataset_path...). */
  readonly metadata?: JsonObject;
  readonly heldOut?: HeldOutNumbers;
  readonly recovery?: RecoveryNumbers;
}

const object = (v: Json | undefined): JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};

function count(v: number): string {
  if (v >= 1e9) return `${+(v / 1e9).toPrecision(3)}B`;
  if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(v);
}

/** A stored value as a reader wants it, or undefined when absent or empty. */
function show(v: Json | undefined): string | undefined {
  if (v === undefined || v === null || v === '' || v === 'unknown') return undefined;
  if (typeof v === 'number') return Number.isInteger(v) ? count(v) : `${+v.toPrecision(4)}`;
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/**
 * The report's header: what was trained on what (from cfg.json and its saekit training
 * record), the numbers on the examined data, and feature recovery for synthetic data.
 */
export function reportHeader(h: HeaderInput): HeaderGroup[] {
  const saekit = object(h.cfg.saekit);
  const train = object(saekit.train_config);
  const meta = { ...object(h.cfg.metadata), ...(h.metadata ?? {}) };
  const rows: HeaderRow[] = [];
  const add = (field: string, label: string, value: Json | undefined, fallback?: string) => {
    const shown = show(value) ?? fallback;
    if (shown !== undefined) rows.push({ field, label, value: shown });
  };
  add('sae', 'SAE', `${h.path} (${h.format})`);
  add('architecture', 'architecture', h.architecture);
  add('d_in', 'd_in', h.dIn);
  add('d_sae', 'd_sae', h.dSae);
  add('k', 'k', h.k);
  add('lr', 'learning rate', train.lr, 'not recorded');
  add('batch', 'batch size (tokens)', train.batchSize, 'not recorded');
  add('steps', 'steps trained', saekit.trained_steps ?? train.steps, 'not recorded');
  add('tokens', 'tokens trained', saekit.trained_tokens ?? train.totalTokens, 'not recorded');
  add('backend', 'backend', saekit.backend ?? meta.backend, 'not recorded in the checkpoint');
  add('data', 'training data', meta.dataset_path, 'not recorded');
  add('model', 'model', meta.model_name, 'not recorded');
  add('hook', 'hook', meta.hook_name, 'not recorded');
  const groups: HeaderGroup[] = [{ id: 'config', title: 'Training configuration', rows }];
  if (h.heldOut) {
    const e = h.heldOut;
    groups.push({
      id: 'eval',
      title: 'Evaluation on the examined data',
      note: `${count(e.tokens)} tokens of ${e.source}`,
      rows: [
        { field: 'fvu', label: 'FVU', value: e.fvu.toFixed(4) },
        { field: 'mse', label: 'MSE', value: e.mse.toExponential(3) },
        { field: 'l0', label: 'L0', value: e.l0.toFixed(2) },
        { field: 'dead', label: 'dead latents', value: `${(e.deadFraction * 100).toFixed(2)}%` },
        {
          field: 'dense',
          label: 'dense latents (>10%)',
          value: `${(e.denseFraction * 100).toFixed(2)}%`,
        },
      ],
    });
  }
  if (h.recovery) {
    const r = h.recovery;
    groups.push({
      id: 'recovery',
      title: 'Synthetic feature recovery',
      note: `true dictionary: ${r.source}`,
      rows: [
        { field: 'mmcs', label: 'MMCS', value: r.mmcs.toFixed(3) },
        {
          field: 'recovered',
          label: 'recovered at cosine ≥ 0.9',
          value: `${r.recovered} of ${r.trueFeatures} (${((100 * r.recovered) / r.trueFeatures).toFixed(1)}%)`,
        },
      ],
    });
  }
  return groups;
}

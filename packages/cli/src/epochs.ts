import type { RunSource } from '@saekit/core';

/**
 * How many passes over the data a run makes, for the plan line, and the warning a run
 * past one epoch gets: its later steps see rows the SAE has already trained on, so its
 * training metrics flatter it and held-out numbers are the ones to trust.
 */
export function epochPlan(
  rows: number,
  batchSize: number,
  steps: number,
): { readonly text: string; readonly warning?: string } {
  const epochs = (steps * batchSize) / rows;
  const text = `epochs=${epochs < 10 ? epochs.toFixed(2) : epochs.toFixed(1)}`;
  if (epochs <= 1) return { text };
  const fit = Math.max(1, Math.floor(rows / batchSize));
  return {
    text,
    warning:
      `${steps} steps × ${batchSize} tokens is ${epochs.toFixed(1)} passes over the ${rows} rows of --data: ` +
      `the SAE sees each row about ${Math.round(epochs)} times (one pass is --steps ${fit}); ` +
      'more data, fewer --steps or a smaller --batch-size avoid it',
  };
}

/** The epoch plan of a run on `source` when its data has a size (shards) and the run a length. */
export function sourceEpochs(
  source: RunSource,
  batchSize: number,
  steps: number,
): ReturnType<typeof epochPlan> | undefined {
  return 'dataset' in source && Number.isFinite(steps)
    ? epochPlan((source.dataset as { rows: number }).rows, batchSize, steps)
    : undefined;
}

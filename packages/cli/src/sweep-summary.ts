/** One member's line in a sweep's summary: what it is, and where its training ended. */
export interface SweepRow {
  readonly name: string;
  readonly architecture: string;
  readonly dSae: number;
  readonly k: number | null;
  readonly lr: number;
  readonly steps: number;
  readonly tokens: number;
  /** FVU, L0 and dead fraction of the last logged step (metrics.jsonl's last record). */
  readonly fvu: number;
  readonly l0: number;
  readonly deadFraction: number;
  /** On synthetic data: the fraction of true features with a decoder row at cosine ≥ 0.9. */
  readonly recovered?: number;
}

/**
 * Which rows are on the FVU–L0 Pareto frontier: no other row has both a lower-or-equal L0 and
 * a lower-or-equal FVU, one of them strictly lower.
 */
export function onFrontier(rows: readonly Pick<SweepRow, 'fvu' | 'l0'>[]): boolean[] {
  return rows.map(
    (r) => !rows.some((o) => o.l0 <= r.l0 && o.fvu <= r.fvu && (o.l0 < r.l0 || o.fvu < r.fvu)),
  );
}

/** The summary as an aligned text table (one row per member, `*` on the frontier). */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const frontier = onFrontier(rows);
  const recovery = rows.some((r) => r.recovered !== undefined);
  const head = ['member', 'architecture', 'd_sae', 'k', 'lr', 'steps', 'FVU', 'L0', 'dead %'];
  const table = [
    [...head, ...(recovery ? ['recovered %'] : []), 'frontier'],
    ...rows.map((r, i) => [
      r.name,
      r.architecture,
      String(r.dSae),
      r.k === null ? '-' : String(r.k),
      r.lr.toExponential(2),
      String(r.steps),
      r.fvu.toFixed(4),
      r.l0.toFixed(2),
      (r.deadFraction * 100).toFixed(1),
      ...(recovery ? [r.recovered === undefined ? '-' : (r.recovered * 100).toFixed(1)] : []),
      frontier[i] ? '*' : '',
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

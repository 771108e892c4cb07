import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkspace,
  type Execution,
  executeNotebook,
  joinText,
  mimeText,
  type Notebook,
  type NotebookOutput,
  nbconvertAvailable,
  type Workspace,
} from './jupyter.js';

const inCi = process.env.CI === 'true';
const hint = 'jupyter nbconvert not found: run scripts/install-examples-system.sh';
const notebookPath = fileURLToPath(new URL('../train-sae.ipynb', import.meta.url));
// The notebook imports the BUILT packages (Deno runs plain JavaScript, not our sources).
const builtEntries = ['core', 'io'].map((p) =>
  fileURLToPath(new URL(`../../../packages/${p}/dist/index.js`, import.meta.url)),
);

interface Summary {
  readonly steps: number;
  readonly firstFvu: number;
  readonly finalFvu: number;
  readonly mmcs: number;
  readonly recovered: number;
}

describe.skipIf(!inCi && !nbconvertAvailable())(`train-sae.ipynb (${hint} if skipped)`, () => {
  let ws: Workspace;
  let run: Execution;
  let outputs: NotebookOutput[];

  beforeAll(() => {
    const missing = builtEntries.filter((p) => !existsSync(p));
    if (missing.length) throw new Error(`run \`pnpm build\` first; missing ${missing.join(', ')}`);
    ws = createWorkspace();
    // Throws, with the failing cell's traceback, if any cell raises.
    run = executeNotebook(notebookPath, ws, 600);
    outputs = run.notebook.cells.flatMap((c) => c.outputs ?? []);
  }, 660_000);
  afterAll(() => ws?.dispose());

  it('is committed cleared (outputs stay out of git)', () => {
    const committed = JSON.parse(readFileSync(notebookPath, 'utf8')) as Notebook;
    for (const cell of committed.cells.filter((c) => c.cell_type === 'code')) {
      expect(cell.outputs, joinText(cell.source)).toEqual([]);
      expect(cell.execution_count).toBeNull();
    }
  });

  it('runs every code cell without an error output', () => {
    const code = run.notebook.cells.filter((c) => c.cell_type === 'code');
    expect(code.length).toBeGreaterThan(3);
    for (const cell of code) expect(cell.execution_count, joinText(cell.source)).toBeGreaterThan(0);
    expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
  });

  it('plots FVU inline as SVG', () => {
    const svgs = outputs.map((o) => mimeText(o, 'image/svg+xml')).filter(Boolean);
    expect(svgs.length).toBeGreaterThan(0);
    expect(svgs.at(-1)).toMatch(/<svg[^>]*>[\s\S]*<path[^>]* d="M/);
  });

  it('reports an FVU that fell during training and a recovered dictionary', () => {
    // nbformat stores application/json outputs as JSON, not text.
    const summaries = outputs.map((o) => o.data?.['application/json']).filter(Boolean);
    const summary = summaries.at(-1) as Summary;
    console.info(`train-sae.ipynb: ${JSON.stringify(summary)}`);
    expect(summary.steps).toBe(600);
    expect(summary.finalFvu).toBeLessThan(summary.firstFvu * 0.5);
    // Measured: MMCS 0.99, 126 of 128 true features at cosine ≥ 0.9.
    expect(summary.mmcs).toBeGreaterThan(0.9);
    expect(summary.recovered).toBeGreaterThanOrEqual(100);
  });
});

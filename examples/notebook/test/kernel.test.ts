import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkspace,
  executeNotebook,
  KERNEL_NAME,
  mimeText,
  nbconvertAvailable,
  type Workspace,
} from './jupyter.js';

const inCi = process.env.CI === 'true';
const hint = 'jupyter nbconvert not found: run scripts/install-examples-system.sh';

function notebookOf(...cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
    metadata: { kernelspec: { name: KERNEL_NAME, display_name: 'Deno', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

// The harness itself: if these fail, the notebook test's failures are about the machine.
describe.skipIf(!inCi && !nbconvertAvailable())(
  `Deno kernel under nbconvert (${hint} if skipped)`,
  () => {
    let ws: Workspace;
    beforeAll(() => {
      ws = createWorkspace();
    });
    afterAll(() => ws?.dispose());

    it('executes TypeScript cells and records their displayed outputs', () => {
      const path = join(ws.dir, 'ok.ipynb');
      writeFileSync(
        path,
        notebookOf(
          'const n: number = 6 * 7;\nawait Deno.jupyter.display({ "text/plain": String(n) }, { raw: true });',
          'await Deno.jupyter.display({ "text/html": "<b>" + n + "</b>" }, { raw: true });',
        ),
      );
      // Deno's kernel may publish "idle" before these outputs; plain nbconvert then drops them
      // (about 1 run in 3), grace_execute.py waits for them.
      const { notebook } = executeNotebook(path, ws, 120);
      expect(mimeText(notebook.cells[0].outputs![0], 'text/plain')).toBe('42');
      expect(mimeText(notebook.cells[1].outputs![0], 'text/html')).toBe('<b>42</b>');
    });

    it('fails the run when a cell throws', () => {
      const path = join(ws.dir, 'bad.ipynb');
      writeFileSync(path, notebookOf('1 + 1', 'throw new Error("cell two broke")', '3'));
      expect(() => executeNotebook(path, ws, 120)).toThrow(/cell two broke/);
    });
  },
);

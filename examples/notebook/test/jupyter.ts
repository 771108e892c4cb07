/**
 * Runs notebooks the way CI does: Jupyter's nbconvert (Debian's jupyter-nbconvert) executes
 * them headless on Deno's TypeScript kernel. Deno comes from the npm registry (the `deno`
 * devDependency), and its kernelspec goes into a temporary Jupyter data dir, so nothing
 * outside this run is touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_NAME = 'saekit-deno';

/** This directory: grace_execute.py lives here. */
const here = dirname(fileURLToPath(import.meta.url));

export interface NotebookOutput {
  readonly output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  readonly name?: string;
  readonly text?: string | string[];
  /** MIME bundle: text types as a string or list of lines, application/json as JSON. */
  readonly data?: Readonly<Record<string, unknown>>;
  readonly ename?: string;
  readonly evalue?: string;
}

export interface NotebookCell {
  readonly cell_type: 'code' | 'markdown' | 'raw';
  readonly source: string | string[];
  readonly outputs?: NotebookOutput[];
  readonly execution_count?: number | null;
}

export interface Notebook {
  readonly cells: NotebookCell[];
}

export const joinText = (t: string | string[] | undefined): string =>
  Array.isArray(t) ? t.join('') : (t ?? '');

/** A text MIME type of an output ('' when absent); nbformat may store it as a list of lines. */
export function mimeText(output: NotebookOutput, mime: string): string {
  const v = output.data?.[mime];
  if (typeof v === 'string') return v;
  return Array.isArray(v) && v.every((line) => typeof line === 'string') ? v.join('') : '';
}

/** Whether `jupyter nbconvert` can run here (scripts/install-examples-system.sh installs it). */
export function nbconvertAvailable(): boolean {
  const r = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** The Deno launcher from the npm package (a Node script that runs the platform binary). */
function denoLauncher(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('deno/package.json')), 'bin.cjs');
}

export interface Workspace {
  /** Environment for nbconvert: the kernelspec dir on JUPYTER_PATH, Deno's cache dir. */
  readonly env: NodeJS.ProcessEnv;
  readonly dir: string;
  dispose(): void;
}

/** A scratch dir holding Deno's kernelspec (installed by `deno jupyter --install`) and cache. */
export function createWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'saekit-notebook-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // `deno jupyter --install` writes to $XDG_DATA_HOME/jupyter/kernels/<name>.
    XDG_DATA_HOME: join(dir, 'data'),
    JUPYTER_PATH: join(dir, 'data', 'jupyter'),
    JUPYTER_CONFIG_DIR: join(dir, 'config'),
    JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
    DENO_DIR: join(dir, 'deno'),
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
  };
  const install = spawnSync(
    process.execPath,
    [
      denoLauncher(),
      'jupyter',
      '--install',
      '--force',
      '--name',
      KERNEL_NAME,
      '--display',
      'Deno (saekit)',
    ],
    { env, encoding: 'utf8' },
  );
  if (install.status !== 0) {
    throw new Error(
      `deno jupyter --install failed (${install.status}):\n${install.stderr}${install.stdout}`,
    );
  }
  return { env, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Execution {
  readonly notebook: Notebook;
  readonly log: string;
}

/**
 * Executes every cell in order with `jupyter nbconvert --execute`; nbconvert stops and exits
 * non-zero at the first cell that raises, and this throws with the cell's error.
 */
export function executeNotebook(path: string, ws: Workspace, timeoutSeconds = 600): Execution {
  const outDir = join(ws.dir, 'out');
  const r = spawnSync(
    'jupyter',
    [
      'nbconvert',
      '--to',
      'notebook',
      // nbconvert's --execute, with a grace period for outputs Deno sends after "idle".
      `--NotebookExporter.preprocessors=['grace_execute.GraceExecutePreprocessor']`,
      '--GraceExecutePreprocessor.enabled=True',
      `--GraceExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
      `--GraceExecutePreprocessor.timeout=${timeoutSeconds}`,
      '--output-dir',
      outDir,
      path,
    ],
    // The kernel's working directory is the notebook's own, so relative imports resolve.
    {
      env: {
        ...ws.env,
        PYTHONPATH: [here, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
        // No __pycache__ beside grace_execute.py in the source tree.
        PYTHONDONTWRITEBYTECODE: '1',
      },
      cwd: dirname(path),
      encoding: 'utf8',
      timeout: (timeoutSeconds + 60) * 1000,
    },
  );
  if (r.error) {
    throw new Error(
      `could not run \`jupyter nbconvert\` (${r.error.message}): run scripts/install-examples-system.sh`,
    );
  }
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`nbconvert exited ${r.status ?? r.signal}:\n${log}`);
  const notebook = JSON.parse(readFileSync(join(outDir, basename(path)), 'utf8')) as Notebook;
  return { notebook, log };
}

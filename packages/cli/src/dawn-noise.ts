import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Lines Dawn's native code prints to the process's stderr when it creates an adapter on
 * some drivers (llvmpipe among them). They are not about the user's run, and native code
 * writes them to file descriptor 2 directly, past anything JavaScript can intercept.
 */
export const DAWN_NOISE =
  /^Warning: maxDynamic\w+ artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/;

const CHILD = 'SAEKIT_STDERR_FILTERED';

/** Whether this process should run the command in a child whose stderr it filters. */
export function wantsFilteredChild(argv: readonly string[]): boolean {
  // bench creates every backend, WebGPU included, on every run.
  return argv[2] === 'bench' && process.env[CHILD] !== '1';
}

/**
 * Runs this same command line in a child process, passing stdout through untouched and
 * stderr line by line without Dawn's noise; Ctrl-C and termination are forwarded.
 */
export function runFiltered(argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], {
      stdio: ['inherit', 'inherit', 'pipe'],
      env: { ...process.env, [CHILD]: '1' },
    });
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      if (!DAWN_NOISE.test(line)) process.stderr.write(`${line}\n`);
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    process.on('SIGINT', forward('SIGINT'));
    process.on('SIGTERM', forward('SIGTERM'));
    child.on('close', (code, signal) => {
      lines.close();
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

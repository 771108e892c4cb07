import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary (see global-setup.ts). */
export const SAEKIT = fileURLToPath(
  new URL('../node_modules/.cache/saekit-test-bin/cli.js', import.meta.url),
);

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `saekit args...` to completion, as a user's shell would (not a TTY). */
export function saekit(args: readonly string[], options: { cwd?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [SAEKIT, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, SAEKIT_DEBUG: '', NO_COLOR: '1' },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `saekit args...` without blocking this process (so a server the test runs, such as a
 * fake Hub, can answer it), with extra environment variables.
 */
export function saekitAsync(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAEKIT, ...args], {
      env: { ...process.env, SAEKIT_DEBUG: '', NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Starts `saekit args...` and sends SIGINT once `trigger` matches its stderr (optionally a
 * second SIGINT once the first is acknowledged), then resolves with how it ended.
 */
export function saekitInterrupted(
  args: readonly string[],
  trigger: RegExp,
  options: { twice?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAEKIT, ...args], {
      env: { ...process.env, SAEKIT_DEBUG: '', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    let sent = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (sent === 0 && trigger.test(stderr)) {
        sent = 1;
        child.kill('SIGINT');
      }
      // Two signals sent back to back can reach the process as one: the second waits until
      // the first is acknowledged.
      if (options.twice && sent === 1 && /Ctrl-C: finishing/.test(stderr)) {
        sent = 2;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `saekit-cli-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** True when the output is one line with no stack-trace frames. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trim().split('\n');
  return lines.length === 1 && !/\n\s+at /.test(stderr) && lines[0].length > 0;
}

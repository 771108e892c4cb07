import { BackendUnavailableError, ConfigError, NoBackendError, SaekitError } from '@saekit/core';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** A flag is unknown, missing, malformed or out of range; names the flag. */
export class UsageError extends SaekitError {
  constructor(
    readonly flag: string | undefined,
    message: string,
  ) {
    super(flag === undefined ? message : `${flag}: ${message}`);
  }
}

/** An input path or file is unusable; names the path. */
export class InputError extends SaekitError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** The run was stopped by Ctrl-C after its checkpoint was saved. */
export class InterruptedError extends SaekitError {}

/** The exit code for an error that reached the top of a command. */
export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof UsageError || err instanceof ConfigError) return ExitCode.usage;
  if (err instanceof InterruptedError) return ExitCode.interrupted;
  if (err instanceof BackendUnavailableError || err instanceof NoBackendError) {
    return ExitCode.backend;
  }
  if (err instanceof SaekitError) return ExitCode.input;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && FILE_ERROR_CODES.has(code)) return ExitCode.input;
  return ExitCode.internal;
}

const FILE_ERROR_CODES = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EEXIST']);

/** One line for the user: the message, without "Error:" noise or a stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const path = (err as NodeJS.ErrnoException).path;
    if (typeof code === 'string' && FILE_ERROR_CODES.has(code) && typeof path === 'string') {
      const what: Record<string, string> = {
        ENOENT: 'no such file or directory',
        EISDIR: 'is a directory',
        ENOTDIR: 'not a directory',
        EACCES: 'permission denied',
        EPERM: 'operation not permitted',
        EEXIST: 'already exists',
      };
      return `${path}: ${what[code] ?? code}`;
    }
    return err.message.split('\n')[0];
  }
  return String(err);
}

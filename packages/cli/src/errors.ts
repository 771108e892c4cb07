import { BackendUnavailableError, ConfigError, NoBackendError, SaekitError } from '@saekit/core';
import { FILE_ERROR_WORDS, fileErrorCode } from '@saekit/io';
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
  // Disk full, read-only file system, symlink loops...: the environment, not a bug.
  if (fileErrorCode(err) !== undefined) return ExitCode.input;
  return ExitCode.internal;
}

/** One line for the user: the message, without "Error:" noise or a stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = err instanceof SaekitError ? undefined : fileErrorCode(err);
    if (code !== undefined) {
      const path = (err as NodeJS.ErrnoException).path;
      return `${typeof path === 'string' ? `${path}: ` : ''}${FILE_ERROR_WORDS[code]}`;
    }
    return err.message.split('\n')[0];
  }
  return String(err);
}

import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SaekitError } from '@saekit/core';

/** What the file-system errors a user can cause or meet mean, in words. */
export const FILE_ERROR_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
  EBUSY: 'device or resource busy',
};

/** The errno code of a Node file-system error, when it is one we can explain. */
export function fileErrorCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in FILE_ERROR_WORDS ? code : undefined;
}

/**
 * A file operation failed for a reason outside saekit (disk full, read-only file system,
 * symlink loop, permissions...). One line: the path, what was being done, and why.
 */
export class FileSystemError extends SaekitError {
  constructor(
    readonly path: string,
    readonly code: string,
    readonly action?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${path}: ${action === undefined ? '' : `cannot ${action}: `}${FILE_ERROR_WORDS[code] ?? code}`,
      options,
    );
  }
}

/**
 * `err` as a FileSystemError naming `path` when it is a known file-system error (Node's
 * write errors carry no path: ENOSPC from a write names nothing), otherwise `err` itself.
 */
export function asFileSystemError(err: unknown, path: string, action?: string): unknown {
  if (err instanceof SaekitError) return err;
  const code = fileErrorCode(err);
  return code === undefined ? err : new FileSystemError(path, code, action, { cause: err });
}

/**
 * mkdir -p that says why it failed: a recursive mkdir reports ENOENT where the real cause
 * is a read-only file system or a permission, so the last step is retried alone to learn it.
 */
export function makeDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    let cause = err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(dirname(path))) {
      try {
        mkdirSync(path);
      } catch (again) {
        cause = again;
      }
    }
    throw asFileSystemError(cause, path, 'create');
  }
}

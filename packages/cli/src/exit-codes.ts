/**
 * The exit codes of `saekit`, a contract for scripts (documented in the README and in
 * `saekit --help`).
 */
export const ExitCode = {
  /** The command did what it was asked. */
  ok: 0,
  /** An unexpected internal failure (a bug): the message, and a stack with SAEKIT_DEBUG=1. */
  internal: 1,
  /** A flag is unknown, missing, malformed or out of range. */
  usage: 2,
  /** An input is unusable (missing path, malformed file, wrong width, non-finite values) or a
   * file cannot be written (disk full, read-only file system, symlink loop). */
  input: 3,
  /** No requested compute backend can run on this machine. */
  backend: 4,
  /** Interrupted by Ctrl-C (SIGINT); for `train`, after saving a resumable checkpoint. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    internal error (a bug; set SAEKIT_DEBUG=1 for a stack trace)
  2    usage error: unknown, missing or invalid flag
  3    input error: missing path, malformed file, wrong width, non-finite data,
       disk full, read-only file system, symlink loop (the path is named)
  4    no requested backend can run here
  130  interrupted by Ctrl-C (train saves a resumable checkpoint first)`;

import { SaekitError } from '@saekit/core';

/**
 * A file is not what its format says it must be (truncated, bad magic, inconsistent header,
 * unsupported dtype...). Names the file and, where it applies, the tensor or member at fault.
 */
export class FormatError extends SaekitError {
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
  }
}

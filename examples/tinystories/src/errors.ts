import { SaekitError } from '@saekit/core';

/** A llama2.c checkpoint file is malformed; names the file and what is wrong. */
export class ModelFormatError extends SaekitError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** An argument to the model (token id, position, layer) is out of range. */
export class ModelInputError extends SaekitError {}

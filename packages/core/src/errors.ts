/**
 * Every failure saekit reports on purpose is a `SaekitError`, so callers can tell our
 * diagnostics (bad config, bad data, an unavailable backend) from bugs.
 */
export class SaekitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A configuration value is out of range or inconsistent with another. Names the key; `detail`
 * is the reason alone and `hint` a fix, so a CLI can say both in terms of its flags.
 */
export class ConfigError extends SaekitError {
  readonly detail: string;
  constructor(
    readonly key: string,
    message: string,
    readonly hint?: string,
  ) {
    super(`invalid config '${key}': ${message}${hint === undefined ? '' : `; ${hint}`}`);
    this.detail = message;
  }
}

/** A tensor has the wrong shape or dtype for the kernel or model it was passed to. */
export class ShapeError extends SaekitError {}

/** Input data is unusable: non-finite values, wrong width. Names the source and row. */
export class DataError extends SaekitError {
  constructor(
    message: string,
    readonly source?: string,
    readonly row?: number,
  ) {
    super(
      `${source === undefined ? '' : `${source}: `}${row === undefined ? '' : `row ${row}: `}${message}`,
    );
  }
}

/**
 * A saved training state cannot be trusted: a non-finite weight or moment, an impossible
 * input scale, a step or data position that does not fit the data. Names what is wrong.
 */
export class StateError extends SaekitError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`training state: ${key}: ${message}`);
  }
}

/** A backend cannot run here; `reason` says why (missing adapter, missing package...). */
export class BackendUnavailableError extends SaekitError {
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend '${backend}' is unavailable: ${reason}`);
  }
}

/** No backend in the requested list could be created; `refused` keeps every reason. */
export class NoBackendError extends SaekitError {
  constructor(readonly refused: readonly { name: string; reason: string }[]) {
    super(
      `no usable backend: ${refused.map((r) => `${r.name} (${r.reason})`).join('; ') || 'none registered'}`,
    );
  }
}

/**
 * A kernel was called with an argument it cannot take: wrong shape, dtype, aliasing, a tensor
 * of another backend or a disposed one. The message starts with "<kernel>: ".
 */
export class KernelArgumentError extends ShapeError {
  constructor(
    readonly kernel: string,
    readonly argument: string,
    message: string,
  ) {
    super(`${kernel}: ${message}`);
  }
}

/** A config needs more than the chosen backend's device allows; names the limit. */
export class LimitError extends ConfigError {
  constructor(
    key: string,
    readonly backend: string,
    readonly limit: string,
    message: string,
  ) {
    super(key, `${message} (backend '${backend}' limit ${limit})`);
  }
}

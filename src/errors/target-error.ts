import { RostersyncError } from './rostersync-error.js';

export interface RequestInfo {
  method: string;
  /** Path and query only: never the host's credentials or the Authorization header. */
  path: string;
}

/** The target API answered with an error status. Carries status, the API's message and the request. */
export class TargetHttpError extends RostersyncError {
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly request: RequestInfo,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP_${status}`, `${request.method} ${request.path} -> ${status}${apiMessage ? `: ${apiMessage}` : ''}`);
  }

  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** No answer: timeout, connection refused or reset. Always transient. */
export class TargetNetworkError extends RostersyncError {
  constructor(
    message: string,
    readonly request: RequestInfo,
    options?: { cause?: unknown; code?: string },
  ) {
    super(options?.code ?? 'NETWORK', `${request.method} ${request.path}: ${message}`, options);
  }
}

/** A target read that did not provably finish (fetched items differ from the API's count). */
export class TargetReadIncompleteError extends RostersyncError {
  constructor(message: string) {
    super('TARGET_READ_INCOMPLETE', message);
  }
}

/** The target answered, but with a body we cannot read (truncated JSON, an HTML page, missing fields). */
export class TargetResponseError extends RostersyncError {
  constructor(
    message: string,
    readonly request: RequestInfo,
    readonly status: number,
  ) {
    super('TARGET_BAD_RESPONSE', message);
  }
}

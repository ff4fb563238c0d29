import { RostersyncError } from './rostersync-error.js';

/** A source read that did not provably finish. The run stops before planning: nothing is deleted. */
export class SourceReadError extends RostersyncError {
  constructor(
    message: string,
    readonly source: string,
    options?: { cause?: unknown; code?: string },
  ) {
    super(options?.code ?? 'SOURCE_READ_FAILED', message, options);
  }
}

/**
 * The source refused the credentials or ids the config gives (a wrong or expired secret, an
 * unknown app or tenant): waiting does not fix it, the config does. Exit 78 (EX_CONFIG).
 */
export class SourceCredentialsError extends SourceReadError {
  constructor(message: string, source: string, options?: { cause?: unknown }) {
    super(message, source, { ...options, code: 'SOURCE_AUTH_FAILED' });
  }
}

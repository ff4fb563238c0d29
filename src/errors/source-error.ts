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

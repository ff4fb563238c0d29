import { RostersyncError } from './rostersync-error.js';

/**
 * Redis could not be reached at start, or stayed away longer than the outage bound mid-run.
 * Exit 69 (EX_UNAVAILABLE). The URL in the message is already masked.
 */
export class RedisUnavailableError extends RostersyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REDIS_UNAVAILABLE', message, options);
  }
}

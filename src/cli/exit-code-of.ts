import { LockLostError } from '../app/profile-lock.js';
import { RunInProgressError } from '../app/run-sync.js';
import {
  ConfigError,
  RedisUnavailableError,
  RostersyncError,
  SourceCredentialsError,
  SourceReadError,
  TargetHttpError,
  TargetNetworkError,
  TargetReadIncompleteError,
  TargetResponseError,
} from '../errors/index.js';
import { UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

/** Exit code of an error the program understands (README's table); undefined for a bug. */
export function exitCodeOf(err: unknown): number | undefined {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof ConfigError || err instanceof SourceCredentialsError) return EXIT.config;
  if (
    err instanceof SourceReadError ||
    err instanceof TargetHttpError ||
    err instanceof TargetNetworkError ||
    err instanceof TargetReadIncompleteError ||
    err instanceof TargetResponseError ||
    err instanceof RedisUnavailableError
  )
    return EXIT.unavailable;
  // redis-server.ts raises a plain RostersyncError with this code when it cannot start one.
  if (err instanceof RostersyncError && err.code === 'REDIS_UNAVAILABLE') return EXIT.unavailable;
  if (err instanceof RunInProgressError || err instanceof LockLostError) return EXIT.tempfail;
  return undefined;
}

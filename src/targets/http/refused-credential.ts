import { ConfigError, TargetHttpError } from '../../errors/index.js';

/**
 * A credential the target refused (401) as the config error it is: the key to fix and the
 * target's answer (method, path, status and message; never the credential). Undefined for any
 * other failure, which stays what it was (unreachable, 5xx: exit 69).
 */
export function refusedCredential(err: unknown, key: string, what: string): ConfigError | undefined {
  if (!(err instanceof TargetHttpError) || err.status !== 401) return undefined;
  return new ConfigError(`${key}: the target refused ${what} (${err.message}); fix ${key}`, key, { cause: err });
}

/** Runs a target's credential check, turning a 401 into a config error naming `key`. */
export async function provingCredential(key: string, what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    throw refusedCredential(err, key, what) ?? err;
  }
}

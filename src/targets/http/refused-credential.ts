import { ConfigError, TargetHttpError } from '../../errors/index.js';

/**
 * A credential the target refused (401), or accepted for a call it may not make (403), as the config
 * error it is: the key, the target's answer (method, path, status and message; never the
 * credential), and what to fix: the key, or the environment variable or secret file its value came
 * from (`fix`, from TargetKeys.fix). Undefined for any other failure, which stays what it was
 * (unreachable, 5xx: exit 69).
 */
export function refusedCredential(err: unknown, key: string, what: string, fix = key): ConfigError | undefined {
  if (!(err instanceof TargetHttpError) || (err.status !== 401 && err.status !== 403)) return undefined;
  const why =
    err.status === 403 ? '; it signs in but may not make this call: give it the role the sync needs, or' : ';';
  return new ConfigError(`${key}: the target refused ${what} (${err.message})${why} fix ${fix}`, key, { cause: err });
}

/** Runs a target's credential check, turning a 401 or 403 into a config error naming `key` and `fix`. */
export async function provingCredential(
  key: string,
  what: string,
  call: () => Promise<unknown>,
  fix = key,
): Promise<void> {
  try {
    await call();
  } catch (err) {
    throw refusedCredential(err, key, what, fix) ?? err;
  }
}

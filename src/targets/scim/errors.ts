import { TargetHttpError } from '../../errors/index.js';
import { scimTypeOf } from './client.js';

/** What each scimType (RFC 7644 3.12) means for the write that got it. */
const MEANING: Record<string, (field: string) => string> = {
  uniqueness: (f) => `${f} is already taken by another resource`,
  mutability: (f) => `${f} is read-only or immutable on this server and cannot be written`,
  invalidValue: (f) => `the server refuses the value given for ${f}`,
  invalidSyntax: (f) => `the server could not parse the request writing ${f}`,
  invalidPath: (f) => `the server does not know the attribute path of ${f}`,
  noTarget: (f) => `the server found nothing at ${f} to change`,
  invalidFilter: (f) => `the server refuses the filter on ${f}`,
  tooMany: (f) => `the filter on ${f} matches more resources than the server will return`,
  sensitive: (f) => `the server refuses ${f} in the URL (sensitive)`,
  invalidVers: (f) => `the resource changed on the server since it was read (${f})`,
};

/**
 * A refused SCIM call as a message naming the person (or group) and the field, then the server's
 * own scimType and detail: "ann@x.com: userName: userName is already taken ... (uniqueness: ...)".
 * Other errors pass through unchanged (status, retries and all).
 */
export function explain(err: unknown, who: string, field: string): unknown {
  if (!(err instanceof TargetHttpError) || err.status === 429 || err.status >= 500) return err;
  const type = scimTypeOf(err);
  const meaning = type ? MEANING[type]!(field) : undefined;
  const message = `${who}: ${field}: ${meaning ?? `refused (${err.status})`}${err.apiMessage ? ` [${err.apiMessage}]` : ''}`;
  return new TargetHttpError(err.status, message, err.request, err.retryAfterMs);
}

/** Runs a write and rethrows a refusal with `explain`. */
export async function naming<T>(who: string, field: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explain(err, who, field);
  }
}

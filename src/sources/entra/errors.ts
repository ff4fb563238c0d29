import { SourceCredentialsError, SourceReadError } from '../../errors/index.js';

/**
 * The Entra source's failures, each with a stable code, and the wording that turns Graph's and the
 * identity platform's errors into one line an operator can act on. No message carries a secret:
 * only ids (tenant, client, trace, correlation, request) and paths.
 */

export class DeltaExpiredError extends SourceReadError {
  constructor() {
    super('entra: the delta token expired or was rejected; a full read is needed', 'entra', {
      code: 'SOURCE_DELTA_EXPIRED',
    });
  }
}

/** The token request was refused (bad secret or certificate, unknown tenant or app): a config error. */
export class EntraAuthError extends SourceCredentialsError {
  constructor(message: string, cause: unknown) {
    super(message, 'entra', { cause });
  }
}

/** Graph answered 403: the app is signed in but lacks an application permission or its admin consent. */
export class EntraPermissionError extends SourceReadError {
  constructor(message: string, cause: unknown) {
    super(message, 'entra', { code: 'SOURCE_PERMISSION_DENIED', cause });
  }
}

/** The server's certificate is not trusted (or not for this host). Never retried: waiting does not fix it. */
export class EntraTlsError extends SourceReadError {
  constructor(message: string, cause: unknown) {
    super(message, 'entra', { code: 'SOURCE_TLS_UNTRUSTED', cause });
  }
}

/**
 * The identity platform's text whole, without cutting an id: the AADSTS code, every sentence up to
 * the ids (the later ones carry the usual cause, e.g. "the client secret value, not the client
 * secret ID"), and the trace and correlation ids that Microsoft support asks for. The timestamp
 * and the identity library's own lines are dropped.
 */
export function aadstsSummary(text: string): string | undefined {
  const m = /(AADSTS\d+):\s*([\s\S]*)/.exec(text);
  if (!m) return undefined;
  const description = m[2]!
    .split(/\s*(?:Trace ID:|Correlation ID:|Timestamp:)/i)[0]!
    .split(/\r?\n/)[0]!
    .trim();
  const trace = /Trace ID:\s*([0-9a-f-]{36})/i.exec(text)?.[1];
  const correlation = /Correlation ID:\s*([0-9a-f-]{36})/i.exec(text)?.[1];
  const ids = [trace && `trace id ${trace}`, correlation && `correlation id ${correlation}`].filter(Boolean).join(', ');
  return `${m[1]}: ${description}${ids ? ` (${ids})` : ''}`;
}

/** Node's names for a certificate it will not trust, in `code` or in the message. */
const TLS_CODES =
  /SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_REJECTED|ERR_TLS_CERT_ALTNAME_INVALID|self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer certificate|certificate has expired/i;

/** The TLS reason anywhere in an error's cause chain, if there is one. */
export function tlsReason(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CODES.test(code)) return code;
    const message = (e as Error).message;
    if (typeof message === 'string') {
      const m = TLS_CODES.exec(message);
      if (m) return m[0];
    }
  }
  return undefined;
}

export function tlsMessage(host: string, reason: string): string {
  return `entra: TLS: the certificate of ${host} is not trusted (${reason}). If a proxy or private cloud re-signs TLS, give its CA to Node with NODE_EXTRA_CA_CERTS; not retried`;
}

/** The application permission a Graph path needs, for a 403's message. */
export function permissionFor(path: string): string {
  return /^\/?users/.test(path) ? 'User.Read.All' : 'GroupMember.Read.All';
}

export function permissionMessage(
  method: string,
  path: string,
  graphCode: string,
  graphMessage: string,
  requestId?: string,
): string {
  return (
    `entra: Graph refused ${method} ${path} with 403${graphCode ? ` ${graphCode}` : ''}${graphMessage ? `: ${graphMessage}` : ''} ` +
    `The app needs the application permission ${permissionFor(path)} with admin consent (rostersync uses User.Read.All and GroupMember.Read.All)` +
    `${requestId ? ` (request-id ${requestId})` : ''}`
  );
}

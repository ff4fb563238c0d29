import { setTimeout as sleep } from 'node:timers/promises';
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { SourceReadError } from '../../errors/index.js';
import type { Logger } from '../../log/logger.js';
import type { EntraSourceConfig } from './schema.js';

/** A Graph error status we can act on: 429/503/504 wait for Retry-After, other 5xx back off. */
function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: number }).statusCode;
  return typeof s === 'number' && s > 0 ? s : undefined;
}

function retryAfterMs(err: unknown): number | undefined {
  const h = (err as { headers?: Headers }).headers;
  const v = h?.get?.('retry-after');
  return v && /^\d+$/.test(v) ? Number(v) * 1000 : undefined;
}

export class DeltaExpiredError extends SourceReadError {
  constructor() {
    super('entra: the delta token expired or was rejected; a full read is needed', 'entra', { code: 'SOURCE_DELTA_EXPIRED' });
  }
}

/**
 * Graph over the SDK, with retries done here (not the SDK's 3 fixed tries) so Retry-After is
 * honoured, waits are bounded, and a page that never arrives fails the read.
 */
export class GraphHttp {
  readonly client: Client;
  requests = 0;

  constructor(private readonly c: EntraSourceConfig, private readonly log: Logger) {
    const credential = makeCredential(c);
    const auth = new TokenCredentialAuthenticationProvider(credential, { scopes: [`${new URL(c.graphBaseUrl).origin}/.default`] });
    const authHandler = new AuthenticationHandler(auth);
    authHandler.setNext(new HTTPMessageHandler());
    this.client = Client.initWithMiddleware({
      middleware: authHandler,
      baseUrl: c.graphBaseUrl,
      customHosts: new Set([new URL(c.graphBaseUrl).hostname]),
    });
  }

  /** GET a path or an absolute nextLink/deltaLink. */
  async get<T>(pathOrUrl: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.requests += 1;
        return (await this.client.api(pathOrUrl).get()) as T;
      } catch (err) {
        const status = statusOf(err);
        const code = (err as { code?: string }).code ?? '';
        if (status === 410 || /syncStateNotFound|resyncRequired|syncStateInvalid/i.test(code)) throw new DeltaExpiredError();
        if (isAuthError(err)) throw new SourceReadError(`entra: authentication failed for client ${this.c.clientId} in tenant ${this.c.tenantId}: ${authReason(err)}`, 'entra', { code: 'SOURCE_AUTH_FAILED' });
        const transient = status === undefined || status === 429 || status >= 500;
        if (!transient || attempt >= this.c.maxRetries) {
          throw new SourceReadError(`entra: GET ${shortPath(pathOrUrl)} failed${status ? ` with ${status}` : ''}: ${(err as Error).message}`, 'entra', { code: 'SOURCE_READ_FAILED', cause: err });
        }
        const wait = retryAfterMs(err) ?? Math.min(60_000, this.c.retryBaseMs * 2 ** attempt * (0.5 + Math.random() / 2));
        this.log.warn({ status, attempt: attempt + 1, waitMs: wait, path: shortPath(pathOrUrl) }, 'graph request will be retried');
        await sleep(wait);
      }
    }
  }

  /** Every item of a collection: follows @odata.nextLink to the end, or fails. */
  async all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    for (let next: string | undefined = path; next; ) {
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.get(next);
      out.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return out;
  }
}

function makeCredential(c: EntraSourceConfig): TokenCredential {
  const options = { authorityHost: c.authorityHost, disableInstanceDiscovery: true };
  if (c.clientSecret) return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, options);
  return new ClientCertificateCredential(c.tenantId, c.clientId, { certificatePath: c.certificatePath! }, options);
}

function isAuthError(err: unknown): boolean {
  const name = (err as Error).name ?? '';
  // The SDK wraps credential failures in a GraphError without a status: recognise the identity platform's codes.
  return name === 'AuthenticationError' || name === 'CredentialUnavailableError' || statusOf(err) === 401 || statusOf(err) === 403
    || /AADSTS\d+|invalid_client|unauthorized_client|invalid_tenant/.test((err as Error).message ?? '');
}

/** The identity platform's reason (AADSTS code and text), never the secret. */
function authReason(err: unknown): string {
  const m = /AADSTS\d+[^\r\n]*/.exec((err as Error).message ?? '');
  return m ? m[0].slice(0, 200) : ((err as Error).message ?? 'unauthorized').split('\n')[0]!.slice(0, 200);
}

function shortPath(u: string): string {
  try {
    const url = new URL(u, 'https://graph');
    return url.pathname;
  } catch {
    return u.slice(0, 80);
  }
}

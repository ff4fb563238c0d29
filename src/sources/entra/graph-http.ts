import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { ConfigError, SourceReadError } from '../../errors/index.js';
import type { Logger } from '../../log/logger.js';
import { refusedProperty, selectedProperties, SINGLE_USER_ONLY } from './attributes.js';
import { batchGet, shortPath, type BatchOptions, type BatchResult, type Verdict } from './batch.js';

export { shortPath, type Verdict } from './batch.js';
import {
  aadstsSummary,
  DeltaExpiredError,
  EntraAuthError,
  EntraPermissionError,
  EntraTlsError,
  permissionMessage,
  tlsMessage,
  tlsReason,
} from './errors.js';
import type { EntraSourceConfig } from './schema.js';

export { DeltaExpiredError } from './errors.js';

function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: number }).statusCode;
  return typeof s === 'number' && s > 0 ? s : undefined;
}

function retryAfterMs(err: unknown): number | undefined {
  const h = (err as { headers?: Headers }).headers;
  const v = h?.get?.('retry-after');
  return v && /^\d+$/.test(v) ? Number(v) * 1000 : undefined;
}

/** What to do with a failed request: give up with this error, or wait and try again. */

/**
 * Graph over the SDK, with retries done here (not the SDK's 3 fixed tries) so Retry-After is
 * honoured, waits are bounded, and a page that never arrives fails the read. `requests` counts
 * HTTP requests (a $batch once); `calls` counts Graph operations (each request inside a batch),
 * which is what Graph's throttling charges.
 */
export class GraphHttp {
  readonly client: Client;
  requests = 0;
  calls = 0;
  private tlsChecked = false;
  private pausedUntil = 0;

  constructor(
    readonly c: EntraSourceConfig,
    private readonly log: Logger,
    /** The config key (and where its value came from) to name in a message: `clientSecret` -> `profiles.hr.source.clientSecret`. */
    private readonly keyToFix: (key: string) => string = (key) => `source.${key}`,
  ) {
    const credential = makeCredential(c);
    const auth = new TokenCredentialAuthenticationProvider(credential, {
      scopes: [`${new URL(c.graphBaseUrl).origin}/.default`],
    });
    const authHandler = new AuthenticationHandler(auth);
    authHandler.setNext(new HTTPMessageHandler());
    this.client = Client.initWithMiddleware({
      middleware: authHandler,
      baseUrl: c.graphBaseUrl,
      customHosts: new Set([new URL(c.graphBaseUrl).hostname]),
    });
  }

  /** GET a path or an absolute nextLink/deltaLink, with extra request headers if given. */
  async get<T>(pathOrUrl: string, headers?: Record<string, string>): Promise<T> {
    return this.retrying(
      `GET ${shortPath(pathOrUrl)}`,
      async () => {
        this.requests += 1;
        this.calls += 1;
        const request = this.client.api(pathOrUrl);
        if (headers) request.headers(headers);
        return (await request.get()) as T;
      },
      shortPath(pathOrUrl),
    );
  }

  /** Many GETs as JSON $batch requests of at most 20, `concurrency` batches in flight; bodies in the order asked. */
  async batch<T>(paths: string[], options: BatchOptions = {}): Promise<BatchResult<T>[]> {
    return batchGet<T>(this, paths, options);
  }

  /** One POST /$batch, retried like any request when the batch itself fails. */
  async postBatch(
    requests: { id: string; method: 'GET'; url: string }[],
  ): Promise<{ responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] }> {
    return this.retrying(
      'POST /$batch',
      async () => {
        this.requests += 1;
        this.calls += requests.length;
        return (await this.client.api('/$batch').post({ requests })) as {
          responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[];
        };
      },
      '/$batch',
    );
  }

  /** Every item of a collection: follows @odata.nextLink to the end, or fails. */
  async all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    for (let next: string | undefined = path; next;) {
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.get(next);
      out.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return out;
  }

  /**
   * Holds every request of this read (not only the one throttled) for `ms`: Graph throttles per
   * app and tenant, so the other batches in flight would only draw more 429s meanwhile.
   */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  private async gate(): Promise<void> {
    for (let d = this.pausedUntil - Date.now(); d > 0; d = this.pausedUntil - Date.now()) await sleep(d);
  }

  private async retrying<T>(what: string, send: () => Promise<T>, path: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.gate();
        return await send();
      } catch (err) {
        const v = await this.verdict(err, path, what);
        if (!v.retry) throw v.error;
        if (attempt >= this.c.maxRetries) {
          // The identity library's "endpoints_resolution_error" means it could not fetch the authority's metadata.
          const reason = /endpoints_resolution_error/.test(String((err as Error).message))
            ? `cannot reach the identity platform at ${new URL(this.c.authorityHost).host} (endpoints_resolution_error: check DNS, proxy and firewall, and authorityHost)`
            : graphText(err);
          throw new SourceReadError(
            `entra: ${what} failed${v.status ? ` with ${v.status}` : ''} after ${attempt + 1} tries: ${reason}`,
            'entra',
            { code: 'SOURCE_READ_FAILED', cause: err },
          );
        }
        const wait = v.waitMs ?? this.backoff(attempt);
        this.log.warn({ status: v.status, attempt: attempt + 1, waitMs: wait, path }, 'graph request will be retried');
        if (v.waitMs !== undefined) this.pause(wait);
        else await sleep(wait);
      }
    }
  }

  backoff(attempt: number): number {
    return Math.min(60_000, this.c.retryBaseMs * 2 ** attempt * (0.5 + Math.random() / 2));
  }

  /** Sorts a failure: expired delta, untrusted certificate, missing permission, bad credentials, or transient. */
  async verdict(err: unknown, path: string, what = `GET ${path}`): Promise<Verdict> {
    const status = statusOf(err);
    const code = (err as { code?: unknown }).code;
    const graphCode = typeof code === 'string' ? code : '';
    if (status === 410 || /syncStateNotFound|resyncRequired|syncStateInvalid/i.test(graphCode))
      return { retry: false, error: new DeltaExpiredError() };
    const reason = tlsReason(err);
    const tls = reason ? { host: hostsOf(this.c), reason } : status === undefined ? await this.probeTls() : undefined;
    if (tls) return { retry: false, error: new EntraTlsError(tlsMessage(tls.host, tls.reason), err) };
    if (status === 403) {
      const lifecycle =
        /^\/?users/.test(path) && this.c.attributes.some((a) => /^employeeLeaveDateTime$/i.test(a.split('.')[0]!))
          ? ' Reading employeeLeaveDateTime (source.attributes) also needs User-LifeCycleInfo.Read.All.'
          : '';
      return {
        retry: false,
        error: new EntraPermissionError(
          permissionMessage(
            what.split(' ')[0]!,
            path,
            graphCode,
            firstSentence((err as Error).message ?? ''),
            (err as { requestId?: string }).requestId,
          ) + lifecycle,
          err,
        ),
      };
    }
    const attributeError = this.attributeError(status, err);
    if (attributeError) return { retry: false, error: attributeError };
    if (isAuthError(err)) {
      return {
        retry: false,
        error: new EntraAuthError(
          `entra: authentication failed for client ${this.c.clientId} in tenant ${this.c.tenantId}: ${authReason(err)}; ` +
            `fix ${this.keyToFix(refusedKey(err, this.c))}`,
          err,
        ),
      };
    }
    if (status !== undefined && status !== 429 && status < 500) {
      return {
        retry: false,
        error: new SourceReadError(
          `entra: ${what} failed with ${status}${graphCode ? ` ${graphCode}` : ''}: ${graphText(err)}`,
          'entra',
          { code: 'SOURCE_READ_FAILED', cause: err },
        ),
      };
    }
    return { retry: true, waitMs: retryAfterMs(err), ...(status ? { status } : {}) };
  }

  /**
   * A listed attribute Graph refuses in `$select` is a config mistake (exit 78), named by its key:
   * a 400 "Could not find a property named 'x'" for a property the attributes select (a misspelling,
   * an extension of another app or tenant), or a 501 for a property Graph returns only for a single
   * user, never in a list (aboutMe, skills, ...).
   */
  private attributeError(status: number | undefined, err: unknown): ConfigError | undefined {
    const selected = selectedProperties(this.c.attributes);
    if (selected.length === 0) return undefined;
    const message = (err as Error).message ?? '';
    if (status === 400) {
      const name = refusedProperty(message);
      const property = name && selected.find((p) => p.toLowerCase() === name.toLowerCase());
      if (!property) return undefined;
      return new ConfigError(
        `${this.keyToFix('attributes')}: Graph has no user property '${property}' (${listedAs(this.c.attributes, property)}): ` +
          `${firstSentence(message)} Check the spelling, and for a directory extension the app id in extension_<appId>_<name>`,
        'source.attributes',
        { cause: err },
      );
    }
    const single = selected.filter((p) => SINGLE_USER_ONLY.some((s) => s.toLowerCase() === p.toLowerCase()));
    if (status === 501 && single.length > 0)
      return new ConfigError(
        `${this.keyToFix('attributes')}: Graph returns ${single.map((p) => `'${p}'`).join(', ')} only for a single user, not in a list of users: ` +
          `${firstSentence(message)} Remove it from the attributes`,
        'source.attributes',
        { cause: err },
      );
    return undefined;
  }

  /**
   * A request that failed without an HTTP status may be a certificate Node refused; the identity
   * library hides that behind "endpoints_resolution_error". One TLS handshake with each host says
   * so at once instead of after minutes of retries.
   */
  private async probeTls(): Promise<{ host: string; reason: string } | undefined> {
    if (this.tlsChecked) return undefined;
    this.tlsChecked = true;
    for (const base of [this.c.authorityHost, this.c.graphBaseUrl]) {
      const reason = await handshake(base, Math.min(this.c.timeoutMs, 10_000));
      if (reason) return { host: new URL(base).host, reason };
    }
    return undefined;
  }
}

function handshake(base: string, timeoutMs: number): Promise<string | undefined> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(
      { host: u.hostname, port: Number(u.port || 443), ...(isIP(u.hostname) ? {} : { servername: u.hostname }) },
      () => {
        socket.end();
        resolve(undefined);
      },
    );
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('error', (e) => {
      socket.destroy();
      resolve(tlsReason(e));
    });
  });
}

/** How the attributes name a property: `employeeOrgData` -> "listed as employeeOrgData.costCenter". */
function listedAs(attributes: readonly string[], property: string): string {
  const names = attributes.filter((a) => a.split('.')[0]!.toLowerCase() === property.toLowerCase());
  return `listed as ${names.join(', ')}`;
}

function hostsOf(c: EntraSourceConfig): string {
  return [...new Set([new URL(c.authorityHost).host, new URL(c.graphBaseUrl).host])].join(' or ');
}

function makeCredential(c: EntraSourceConfig): TokenCredential {
  const options = { authorityHost: c.authorityHost, disableInstanceDiscovery: true };
  if (c.clientSecret) return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, options);
  return new ClientCertificateCredential(c.tenantId, c.clientId, { certificatePath: c.certificatePath! }, options);
}

function isAuthError(err: unknown): boolean {
  const name = (err as Error).name ?? '';
  // The SDK wraps credential failures in a GraphError without a status: recognise the identity platform's codes.
  return (
    name === 'AuthenticationError' ||
    name === 'CredentialUnavailableError' ||
    statusOf(err) === 401 ||
    /AADSTS\d+|invalid_client|unauthorized_client|invalid_tenant/.test((err as Error).message ?? '')
  );
}

/**
 * The key behind a refused token request, by the identity platform's code: the app or the tenant
 * unknown, else the credential itself (a wrong or expired secret, a certificate the app lacks).
 */
export function refusedKey(err: unknown, c: Pick<EntraSourceConfig, 'clientSecret'>): string {
  const text = (err as Error).message ?? '';
  if (/AADSTS700016\b|unauthorized_client/.test(text)) return 'clientId';
  if (/AADSTS(90002|900023)\b|invalid_tenant/.test(text)) return 'tenantId';
  return c.clientSecret !== undefined ? 'clientSecret' : 'certificatePath';
}

/** The identity platform's reason (AADSTS code, its whole text, trace and correlation ids), never the secret. */
function authReason(err: unknown): string {
  const text = (err as Error).message ?? 'unauthorized';
  return aadstsSummary(text) ?? firstSentence(text.split('\n')[0]!);
}

function firstSentence(text: string): string {
  return (/^[\s\S]*?[.!?](?=\s|$)/.exec(text.trim())?.[0] ?? text.trim()).slice(0, 300);
}

/** Graph's error code and first sentence, plus the request id to quote to support. */
function graphText(err: unknown): string {
  const e = err as { message?: string; requestId?: string };
  return `${firstSentence(e.message ?? String(err))}${e.requestId ? ` (request-id ${e.requestId})` : ''}`;
}

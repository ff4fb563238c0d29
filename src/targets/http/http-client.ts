import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import {
  ConfigError,
  TargetHttpError,
  TargetNetworkError,
  TargetResponseError,
  type RequestInfo,
} from '../../errors/index.js';
import { insecureUrlProblem } from './base-url.js';

/** What the runtime plugs into every target's HTTP: the shared rate budget, metrics, 429 pauses. */
export interface HttpHooks {
  /** Waits for a slot of the shared rate budget before every request (reads and writes). */
  beforeRequest?: () => Promise<void>;
  /** Told of every answer (status, or 0 for no answer), for metrics and tests. */
  onResponse?: (info: RequestInfo & { status: number }) => void;
  /** Told of a 429 so the whole queue can pause, not just this caller. */
  onRateLimited?: (retryAfterMs: number) => Promise<void> | void;
  /** Told of every answer's headers (a budget that follows the server's X-RateLimit-* headers). */
  onHeaders?: (headers: Headers) => void;
  /** Attempts for GETs (reads retry here; writes are retried by the queue). @defaultValue 5 */
  readAttempts?: number;
  /** First backoff for read retries. @defaultValue 500 */
  backoffMs?: number;
}

export interface HttpClientOptions extends HttpHooks {
  baseUrl: string;
  /** Config key of the base URL, for errors ("target.baseUrl"). */
  baseUrlKey: string;
  /** The Authorization header's value; never logged, never in an error. */
  authorization: string;
  timeoutMs: number;
  /** The API's error message from an error body, when it has one. */
  errorMessage?: (body: unknown) => string | undefined;
}

export interface HttpResponse<T> {
  status: number;
  body: T;
  location?: string;
  headers: Headers;
}

export interface SendOptions {
  /** Extra headers (e.g. an org selector). */
  headers?: Record<string, string>;
  /** Overrides the client's Authorization for this call (e.g. admin credentials). */
  authorization?: string;
}

/**
 * The one HTTP client every target uses: https required (plain http only to loopback, for
 * emulators), a timeout per request, the shared budget before each call, Retry-After on 429s,
 * retries with jittered backoff for reads, typed errors that carry the request but never the
 * credentials, and answers that do not parse named as such rather than thrown raw.
 */
export class HttpClient {
  readonly root: URL;

  constructor(private readonly opts: HttpClientOptions) {
    this.root = checkedBaseUrl(opts.baseUrl, opts.baseUrlKey);
  }

  get host(): string {
    return this.root.host;
  }

  /** A path relative to the base URL (`users`), or an absolute path or URL, to a URL. */
  resolve(path: string): URL {
    return new URL(path, this.root);
  }

  /** GET with retries on 429 (Retry-After), 5xx, timeouts, resets and unreadable answers. */
  async get<T>(path: string | URL, schema: z.ZodType<T>, send: SendOptions = {}): Promise<T> {
    const attempts = this.opts.readAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.send('GET', path, undefined, send);
        return parseBody(res, schema, { method: 'GET', path: pathOf(this.url(path)) });
      } catch (err) {
        if (!isTransient(err) || attempt >= attempts) throw err;
        await sleep(this.retryDelay(err, attempt));
      }
    }
  }

  /** One request, no retry: the queue owns retries for writes. */
  async send(
    method: string,
    path: string | URL,
    body?: unknown,
    send: SendOptions = {},
  ): Promise<HttpResponse<unknown>> {
    const url = this.url(path);
    const info: RequestInfo = { method, path: pathOf(url) };
    await this.opts.beforeRequest?.();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: send.authorization ?? this.opts.authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...send.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      this.opts.onResponse?.({ ...info, status: 0 });
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new TargetNetworkError(timeout ? `no answer within ${this.opts.timeoutMs} ms` : networkReason(err), info, {
        cause: err,
        code: timeout ? 'TIMEOUT' : 'NETWORK',
      });
    }
    this.opts.onResponse?.({ ...info, status: res.status });
    this.opts.onHeaders?.(res.headers);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // The status arrived but the body broke off: the call's effect is unknown.
      throw new TargetNetworkError(`the answer (${res.status}) broke off: ${networkReason(err)}`, info, {
        cause: err,
        code: 'NETWORK',
      });
    }
    const parsed = parseJson(text);
    const location = res.headers.get('location');
    // A success that is not JSON (a proxy's login page with 200) did not come from the API: the
    // call's effect is unknown, even where the caller would ignore the body (a PATCH, a DELETE).
    if (res.ok && typeof parsed === 'string')
      throw new TargetResponseError(
        `${info.method} ${info.path} answered ${res.status} with a body that is not JSON: ${snippet(parsed)}`,
        info,
        res.status,
      );
    if (res.ok) return { status: res.status, body: parsed, headers: res.headers, ...(location ? { location } : {}) };
    const message = this.opts.errorMessage?.(parsed) ?? (typeof parsed === 'string' ? snippet(parsed) : '');
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    if (res.status === 429) await this.opts.onRateLimited?.(retryAfterMs ?? 1000);
    throw new TargetHttpError(res.status, message, info, retryAfterMs);
  }

  private url(path: string | URL): URL {
    return path instanceof URL ? path : this.resolve(path);
  }

  private retryDelay(err: unknown, attempt: number): number {
    if (err instanceof TargetHttpError && err.status === 429) return err.retryAfterMs ?? 1000;
    const base = (this.opts.backoffMs ?? 500) * 2 ** (attempt - 1);
    return base / 2 + Math.random() * (base / 2);
  }
}

/** A success body checked against the fields we use; an unreadable one names the request and shows its start. */
export function parseBody<T>(res: HttpResponse<unknown>, schema: z.ZodType<T>, info: RequestInfo): T {
  const r = schema.safeParse(res.body);
  if (r.success) return r.data;
  const shown = typeof res.body === 'string' ? res.body : res.body === undefined ? '' : JSON.stringify(res.body);
  const field = r.error.issues[0];
  const why =
    shown === ''
      ? 'an empty body'
      : typeof res.body === 'string'
        ? 'a body that is not JSON'
        : `JSON without the expected fields (${field?.path.join('.') || 'root'}: ${field?.message ?? 'invalid'})`;
  throw new TargetResponseError(
    `${info.method} ${info.path} answered ${res.status} with ${why}${shown ? `: ${snippet(shown)}` : ''}`,
    info,
    res.status,
  );
}

export function isTransient(err: unknown): boolean {
  return (
    err instanceof TargetNetworkError ||
    err instanceof TargetResponseError ||
    (err instanceof TargetHttpError && err.transient)
  );
}

export function checkedBaseUrl(baseUrl: string, key: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl.replace(/\/+$/, '') + '/');
  } catch {
    throw new ConfigError(`${key}: not a URL: ${baseUrl}`, key);
  }
  const insecure = insecureUrlProblem(url);
  if (insecure) throw new ConfigError(`${key}: ${insecure}`, key);
  return url;
}

const pathOf = (url: URL) => url.pathname + url.search;
const snippet = (s: string) => (s.length > 120 ? `${s.slice(0, 120).replace(/\s+/g, ' ')}…` : s.replace(/\s+/g, ' '));

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Node's codes for a certificate chain it does not trust (a private CA, a re-signing proxy). */
const UNTRUSTED_CHAIN =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?)$/;

function networkReason(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: string } | undefined)?.code;
  // Targets have no CA key of their own: Node's is the setting for every https connection.
  if (code && UNTRUSTED_CHAIN.test(code))
    return `TLS failed (${code}): the server's certificate chain is not trusted; give the CA that signed it to Node with NODE_EXTRA_CA_CERTS`;
  return code
    ? `connection failed (${code})`
    : `connection failed (${cause instanceof Error ? cause.message : String(cause)})`;
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { ConfigError, TargetHttpError, TargetNetworkError, type RequestInfo } from '../../errors/index.js';
import { errorBodySchema } from './payloads.js';

export interface ChartioClientOptions {
  baseUrl: string;
  org: string;
  apiKey: string;
  apiSecret: string;
  timeoutMs: number;
  /** Waits for a slot of the shared rate budget before every request (reads and writes). */
  beforeRequest?: () => Promise<void>;
  /** Told of every answer (status, or 0 for no answer), for metrics and tests. */
  onResponse?: (info: RequestInfo & { status: number }) => void;
  /** Told of a 429 so the whole queue can pause, not just this caller. */
  onRateLimited?: (retryAfterMs: number) => Promise<void> | void;
  /** Attempts for GETs (reads retry here; writes are retried by the queue). @defaultValue 5 */
  readAttempts?: number;
  /** First backoff for read retries. @defaultValue 500 */
  backoffMs?: number;
}

export interface Response<T> {
  status: number;
  body: T;
  location?: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Chartio Admin API over HTTP: Basic auth, HAL links, typed errors that never carry the secret. */
export class ChartioClient {
  readonly root: URL;
  private readonly auth: string;

  constructor(private readonly opts: ChartioClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl.replace(/\/+$/, '') + '/');
    } catch {
      throw new ConfigError(`target.baseUrl: not a URL: ${opts.baseUrl}`, 'target.baseUrl');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
      throw new ConfigError(`target.baseUrl: https is required (plain http only for loopback), got ${url.protocol}//${url.host}`, 'target.baseUrl');
    }
    this.root = new URL(`${encodeURIComponent(opts.org)}/`, url);
    this.auth = `Basic ${Buffer.from(`${opts.apiKey}:${opts.apiSecret}`).toString('base64')}`;
  }

  get host(): string {
    return this.root.host;
  }

  /** A path under the org (`users`, `teams/3/users`) or a HAL href (`/org/users/?page=2`) to a URL. */
  resolve(pathOrHref: string): URL {
    if (!pathOrHref.startsWith('/')) return new URL(pathOrHref, this.root);
    // HAL hrefs are absolute paths; the API's version prefix may or may not be in them.
    const base = new URL(this.opts.baseUrl.replace(/\/+$/, ''));
    return pathOrHref.startsWith(base.pathname + '/') || base.pathname === '/'
      ? new URL(pathOrHref, base.origin)
      : new URL(base.pathname + pathOrHref, base.origin);
  }

  /** GET with retries on 429 (Retry-After), 5xx, timeouts and resets. */
  async get<T>(pathOrHref: string, schema: z.ZodType<T>): Promise<T> {
    const attempts = this.opts.readAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.send('GET', pathOrHref);
        return schema.parse(res.body);
      } catch (err) {
        const transient = err instanceof TargetNetworkError || (err instanceof TargetHttpError && err.transient);
        if (!transient || attempt >= attempts) throw err;
        await sleep(this.retryDelay(err, attempt));
      }
    }
  }

  /** One request, no retry: the queue owns retries for writes. */
  async send(method: string, pathOrHref: string, body?: unknown): Promise<Response<unknown>> {
    const url = this.resolve(pathOrHref);
    const info: RequestInfo = { method, path: url.pathname + url.search };
    await this.opts.beforeRequest?.();
    let res: globalThis.Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: this.auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      this.opts.onResponse?.({ ...info, status: 0 });
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new TargetNetworkError(timeout ? `no answer within ${this.opts.timeoutMs} ms` : networkReason(err), info, {
        cause: err, code: timeout ? 'TIMEOUT' : 'NETWORK',
      });
    }
    this.opts.onResponse?.({ ...info, status: res.status });
    const text = await res.text().catch(() => '');
    const parsed = parseJson(text);
    if (res.ok) return { status: res.status, body: parsed, ...(res.headers.get('location') ? { location: res.headers.get('location')! } : {}) };
    const message = errorBodySchema.safeParse(parsed).data?.message ?? text.slice(0, 200);
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    if (res.status === 429) await this.opts.onRateLimited?.(retryAfterMs ?? 1000);
    throw new TargetHttpError(res.status, message, info, retryAfterMs);
  }

  private retryDelay(err: unknown, attempt: number): number {
    if (err instanceof TargetHttpError && err.status === 429) return err.retryAfterMs ?? 1000;
    const base = (this.opts.backoffMs ?? 500) * 2 ** (attempt - 1);
    return base / 2 + Math.random() * (base / 2);
  }
}

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

function networkReason(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: string } | undefined)?.code;
  return code ? `connection failed (${code})` : `connection failed (${cause instanceof Error ? cause.message : String(cause)})`;
}

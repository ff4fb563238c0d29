import type { z } from 'zod';
import { HttpClient, parseBody, type HttpHooks, type HttpResponse } from '../http/http-client.js';
import { errorBodySchema } from './payloads.js';

export { parseRetryAfter } from '../http/http-client.js';

export interface ChartioClientOptions extends HttpHooks {
  baseUrl: string;
  org: string;
  apiKey: string;
  apiSecret: string;
  timeoutMs: number;
}

/** Chartio Admin API over the shared HTTP client: Basic auth, HAL links, paths under the org. */
export class ChartioClient {
  readonly root: URL;
  private readonly http: HttpClient;

  constructor(private readonly opts: ChartioClientOptions) {
    this.http = new HttpClient({
      ...opts,
      baseUrlKey: 'target.baseUrl',
      authorization: `Basic ${Buffer.from(`${opts.apiKey}:${opts.apiSecret}`).toString('base64')}`,
      errorMessage: (body) => errorBodySchema.safeParse(body).data?.message,
    });
    this.root = new URL(`${encodeURIComponent(opts.org)}/`, this.http.root);
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

  /** GET with retries on 429 (Retry-After), 5xx, timeouts, resets and unreadable answers. */
  get<T>(pathOrHref: string, schema: z.ZodType<T>): Promise<T> {
    return this.http.get(this.resolve(pathOrHref), schema);
  }

  /** One request, no retry: the queue owns retries for writes. */
  send(method: string, pathOrHref: string, body?: unknown): Promise<HttpResponse<unknown>> {
    return this.http.send(method, this.resolve(pathOrHref), body);
  }

  /** A write's answer body, checked: an unreadable one is a TargetResponseError naming the request. */
  parse<T>(res: HttpResponse<unknown>, schema: z.ZodType<T>, method: string, pathOrHref: string): T {
    const url = this.resolve(pathOrHref);
    return parseBody(res, schema, { method, path: url.pathname + url.search });
  }
}

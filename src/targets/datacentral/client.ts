import type { z } from 'zod';
import { TargetReadIncompleteError } from '../../errors/index.js';
import { HttpClient, parseBody, type HttpHooks, type HttpResponse } from '../http/http-client.js';
import { errorBodySchema, pageOf } from './payloads.js';

/** The tenant API over the shared client: Bearer tenant key, JSON error envelope, page/pageSize lists. */
export class DatacentralClient {
  readonly http: HttpClient;
  /** GETs spent, for the plan's estimate. */
  reads = 0;

  constructor(
    baseUrl: string,
    token: string,
    timeoutMs: number,
    hooks: HttpHooks,
    private readonly pageSize: number,
  ) {
    this.http = new HttpClient({
      ...hooks,
      baseUrl,
      baseUrlKey: 'target.baseUrl',
      timeoutMs,
      authorization: `Bearer ${token}`,
      errorMessage: (body) => {
        const e = errorBodySchema.safeParse(body).data?.error;
        return e ? [e.code, e.message].filter((x) => x).join(': ') : undefined;
      },
    });
  }

  get host(): string {
    return this.http.host;
  }

  get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    this.reads += 1;
    return this.http.get(path, schema);
  }

  send(method: string, path: string, body?: unknown): Promise<HttpResponse<unknown>> {
    return this.http.send(method, path, body);
  }

  parse<T>(res: HttpResponse<unknown>, schema: z.ZodType<T>, method: string, path: string): T {
    return parseBody(res, schema, { method, path });
  }

  /**
   * Every item of a list, page by page. The read counts only when the items equal the totalCount the
   * API reports on the last page; anything else fails the run before planning.
   */
  async all<T>(path: string, item: z.ZodType<T>): Promise<T[]> {
    const schema = pageOf(item);
    const out: T[] = [];
    let total: number;
    for (let page = 1; ; page++) {
      const body = await this.get(`${path}?page=${page}&pageSize=${this.pageSize}`, schema);
      out.push(...(body.items as T[]));
      total = body.totalCount;
      if (body.items.length === 0 || out.length >= total) break;
    }
    if (out.length !== total)
      throw new TargetReadIncompleteError(
        `${path}: the API reported ${total} but ${out.length} were read; the read is incomplete and nothing will be planned from it`,
      );
    return out;
  }
}

import type { z } from 'zod';
import { HttpClient, parseBody, type HttpHooks, type HttpResponse } from '../http/http-client.js';
import { errorBodySchema } from './payloads.js';

/**
 * Admin API v3 over the shared client: Bearer key, the API's error envelope turned into
 * "code: message" for reports (decisions are taken on the status, never on the text).
 */
export class AdminV3Client {
  readonly http: HttpClient;

  constructor(baseUrl: string, token: string, timeoutMs: number, hooks: HttpHooks) {
    this.http = new HttpClient({
      ...hooks,
      baseUrl,
      baseUrlKey: 'target.baseUrl',
      timeoutMs,
      authorization: `Bearer ${token}`,
      errorMessage: (body) => {
        const e = errorBodySchema.safeParse(body).data?.error;
        return e ? `${e.code}${e.message ? `: ${e.message}` : ''}` : undefined;
      },
    });
  }

  get host(): string {
    return this.http.host;
  }

  get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return this.http.get(path, schema);
  }

  send(method: string, path: string, body?: unknown): Promise<HttpResponse<unknown>> {
    return this.http.send(method, path, body);
  }

  parse<T>(res: HttpResponse<unknown>, schema: z.ZodType<T>, method: string, path: string): T {
    return parseBody(res, schema, { method, path });
  }
}

import type { z } from 'zod';
import { TargetHttpError } from '../../errors/index.js';
import { HttpClient, parseBody, type HttpHooks, type HttpResponse } from '../http/http-client.js';
import { errorBodySchema } from './payloads.js';
import { scimRoot } from './schema.js';

/** The scimType and detail of an error answer, as "scimType: detail" (decisions use the status and scimType). */
export function scimErrorMessage(body: unknown): string | undefined {
  const e = errorBodySchema.safeParse(body).data;
  if (!e || (e.scimType === undefined && e.detail === undefined)) return undefined;
  return [e.scimType, e.detail].filter((s) => s !== undefined && s !== '').join(': ');
}

/** The scimType of a refused call (the client keeps it first in the message). */
export function scimTypeOf(err: unknown): string | undefined {
  if (!(err instanceof TargetHttpError)) return undefined;
  const m = /^([a-zA-Z]+)(?::|$)/.exec(err.apiMessage);
  return m && SCIM_TYPES.has(m[1]!) ? m[1] : undefined;
}

/** RFC 7644 3.12, table 9. */
const SCIM_TYPES = new Set([
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
]);

/** SCIM over the shared client: Bearer token, application/scim+json accepted, the Error message read. */
export class ScimClient {
  readonly http: HttpClient;

  constructor(baseUrl: string, token: string, timeoutMs: number, hooks: HttpHooks) {
    this.http = new HttpClient({
      ...hooks,
      baseUrl: scimRoot(baseUrl),
      baseUrlKey: 'target.baseUrl',
      timeoutMs,
      authorization: `Bearer ${token}`,
      errorMessage: scimErrorMessage,
    });
  }

  get host(): string {
    return this.http.host;
  }

  get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return this.http.get(path, schema);
  }

  send(method: string, path: string, body?: unknown): Promise<HttpResponse<unknown>> {
    return this.http.send(method, path, body, {
      headers: {
        accept: 'application/scim+json, application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
    });
  }

  parse<T>(res: HttpResponse<unknown>, schema: z.ZodType<T>, method: string, path: string): T {
    return parseBody(res, schema, { method, path });
  }
}

/** A filter value as a SCIM string literal (RFC 7644 3.4.2.2: JSON string rules). */
export const quoted = (s: string): string => JSON.stringify(s);

import type { z } from 'zod';
import { RostersyncError } from '../../errors/index.js';
import { HttpClient, parseBody, type HttpHooks, type HttpResponse, type SendOptions } from '../http/http-client.js';
import { errorBodySchema, orgSchema } from './payloads.js';

export interface GrafanaCredentials {
  /** Service-account token of the default org. */
  token?: string;
  /** Tokens of other orgs, by org name (lower-cased) or id. */
  orgTokens: Map<string, string>;
  admin?: { user: string; password: string };
}

/** A call Grafana reserves to server admins, with no admin credentials configured. */
export class GrafanaAdminRequiredError extends RostersyncError {
  constructor(what: string) {
    super('GRAFANA_ADMIN_REQUIRED', `${what} needs Grafana server-admin credentials (target.admin)`);
  }
}

export interface OrgContext {
  id: string;
  name: string;
}

/**
 * Grafana's HTTP API over the shared client. Org-scoped calls go with the org's service-account
 * token; without one, with the server admin's Basic credentials and X-Grafana-Org-Id. Calls Grafana
 * reserves to server admins (/api/admin, /api/orgs, /api/users) always use Basic.
 */
export class GrafanaClient {
  readonly http: HttpClient;
  /** The org of the default token, once known. */
  defaultOrgId?: string;

  constructor(
    baseUrl: string,
    private readonly creds: GrafanaCredentials,
    timeoutMs: number,
    hooks: HttpHooks,
  ) {
    this.http = new HttpClient({
      ...hooks,
      baseUrl,
      baseUrlKey: 'target.baseUrl',
      timeoutMs,
      authorization: creds.token ? `Bearer ${creds.token}` : (this.basic() ?? ''),
      errorMessage: (body) => errorBodySchema.safeParse(body).data?.message,
    });
  }

  /** The default token's org, learnt once per process (a worker may apply ops it never read). */
  async ensureDefaultOrg(): Promise<void> {
    if (this.defaultOrgId !== undefined) return;
    this.defaultOrgId = this.creds.token ? (await this.http.get('api/org', orgSchema)).id : '1';
  }

  get hasToken(): boolean {
    return this.creds.token !== undefined;
  }

  /** Auth for each configured org token (to learn their orgs without admin credentials). */
  orgTokenAuths(): SendOptions[] {
    return [...new Set(this.creds.orgTokens.values())].map((t) => ({ authorization: `Bearer ${t}` }));
  }

  get hasAdmin(): boolean {
    return this.creds.admin !== undefined;
  }

  get host(): string {
    return this.http.host;
  }

  private basic(): string | undefined {
    const a = this.creds.admin;
    return a ? `Basic ${Buffer.from(`${a.user}:${a.password}`).toString('base64')}` : undefined;
  }

  /** How to call org-scoped endpoints of an org: its token, else admin Basic with the org header. */
  orgAuth(org: OrgContext): SendOptions {
    const token =
      this.creds.orgTokens.get(org.name.toLowerCase()) ??
      this.creds.orgTokens.get(org.id) ??
      (org.id === this.defaultOrgId ? this.creds.token : undefined);
    if (token) return { authorization: `Bearer ${token}` };
    const basic = this.basic();
    if (!basic)
      throw new GrafanaAdminRequiredError(`org "${org.name}" has no token in target.orgTokens, and reaching it`);
    return { authorization: basic, headers: { 'x-grafana-org-id': org.id } };
  }

  /** Server-admin calls. */
  adminAuth(what: string): SendOptions {
    const basic = this.basic();
    if (!basic) throw new GrafanaAdminRequiredError(what);
    return { authorization: basic };
  }

  get<T>(path: string, schema: z.ZodType<T>, auth: SendOptions = {}): Promise<T> {
    return this.http.get(path.replace(/^\//, ''), schema, auth);
  }

  send(method: string, path: string, body: unknown, auth: SendOptions = {}): Promise<HttpResponse<unknown>> {
    return this.http.send(method, path.replace(/^\//, ''), body, auth);
  }

  parse<T>(res: HttpResponse<unknown>, schema: z.ZodType<T>, method: string, path: string): T {
    return parseBody(res, schema, { method, path });
  }
}

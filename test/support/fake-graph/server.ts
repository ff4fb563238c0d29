import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { FakeDirectory, type FakeUser } from './directory.js';

export interface FakeGraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  cert: string;
  key: string;
  /** Largest page the fake serves (Graph: 999 for users). @defaultValue 999 */
  maxPage?: number;
}

export interface LoggedRequest { method: string; path: string; status: number }

/**
 * A fake Microsoft identity platform + Graph over real HTTPS: client-credentials tokens, paged
 * /users, /groups and transitiveMembers with skip tokens, delta rounds from a change log, 429
 * bursts with Retry-After, expiring delta tokens. Every Graph call checks the bearer token.
 */
export async function startFakeGraph(o: FakeGraphOptions) {
  const dir = new FakeDirectory();
  const log: LoggedRequest[] = [];
  const tokens = new Set<string>();
  const maxPage = o.maxPage ?? 999;
  const faults = { throttle: 0, expiredBefore: 0, failNext: 0 };
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const graphError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    send(res, status, { error: { code, message } }, headers);

  const userJson = (u: FakeUser, select: string[] | undefined) => {
    const full: Record<string, unknown> = { '@odata.type': '#microsoft.graph.user', ...u };
    if (!select) return full;
    return Object.fromEntries(Object.entries(full).filter(([k]) => k === 'id' || k === '@odata.type' || select.includes(k)));
  };
  const page = (res: ServerResponse, url: URL, items: unknown[], extra: Record<string, unknown> = {}) => {
    const top = Math.min(Number(url.searchParams.get('$top') ?? 100), maxPage);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const slice = items.slice(skip, skip + top);
    const next = new URL(url);
    next.searchParams.set('$skiptoken', String(skip + top));
    send(res, 200, { value: slice, ...(skip + top < items.length ? { '@odata.nextLink': `${base}${next.pathname}${next.search}` } : extra) });
  };

  const server = createServer({ cert: readFileSync(o.cert), key: readFileSync(o.key) }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const done = res.end.bind(res);
      res.end = ((...args: Parameters<typeof res.end>) => {
        log.push({ method: req.method ?? 'GET', path: req.url ?? '', status: res.statusCode });
        return done(...args);
      }) as typeof res.end;
      handle(req, res, body);
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'https://fake');
    const p = url.pathname;
    if (p === `/${o.tenantId}/v2.0/.well-known/openid-configuration`) {
      return send(res, 200, {
        token_endpoint: `${base}/${o.tenantId}/oauth2/v2.0/token`, issuer: `${base}/${o.tenantId}/v2.0`,
        authorization_endpoint: `${base}/${o.tenantId}/oauth2/v2.0/authorize`, jwks_uri: `${base}/${o.tenantId}/discovery/v2.0/keys`,
        end_session_endpoint: `${base}/${o.tenantId}/oauth2/v2.0/logout`, response_modes_supported: ['query'],
      });
    }
    if (p === `/${o.tenantId}/oauth2/v2.0/token` && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('client_id') !== o.clientId || form.get('client_secret') !== o.clientSecret) {
        return send(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
      }
      const token = `tok-${Math.random().toString(36).slice(2)}`;
      tokens.add(token);
      return send(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token });
    }
    if (!p.startsWith('/v1.0/')) return graphError(res, 404, 'NotFound', `no route ${p}`);
    const auth = req.headers.authorization ?? '';
    if (!tokens.has(auth.replace(/^Bearer /, ''))) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
    if (faults.throttle > 0) {
      faults.throttle -= 1;
      return graphError(res, 429, 'TooManyRequests', 'Too many requests', { 'retry-after': '1' });
    }
    if (faults.failNext > 0) {
      faults.failNext -= 1;
      return graphError(res, 503, 'ServiceUnavailable', 'try later');
    }
    const select = url.searchParams.get('$select')?.split(',');
    const route = p.slice('/v1.0'.length);
    if (route === '/users/delta' || route === '/groups/delta') return delta(res, url, route === '/users/delta' ? 'user' : 'group', select);
    if (route === '/users') return page(res, url, [...dir.users.values()].map((u) => userJson(u, select)));
    if (route === '/groups') {
      const filter = url.searchParams.get('$filter');
      const prefix = filter ? /^startswith\(displayName,'((?:[^']|'')*)'\)$/.exec(filter)?.[1]?.replace(/''/g, "'") : undefined;
      if (filter && prefix === undefined) return graphError(res, 400, 'BadRequest', 'unsupported filter in the fake');
      return page(res, url, [...dir.groups.values()].filter((g) => prefix === undefined || g.displayName.startsWith(prefix)).map((g) => ({ id: g.id, displayName: g.displayName })));
    }
    let m = /^\/groups\/([^/]+)$/.exec(route);
    if (m) {
      const g = dir.groups.get(m[1]!);
      return g ? send(res, 200, { id: g.id, displayName: g.displayName }) : graphError(res, 404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist`);
    }
    m = /^\/groups\/([^/]+)\/transitiveMembers$/.exec(route);
    if (m) {
      if (!dir.groups.has(m[1]!)) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist`);
      const items = dir.transitiveMembers(m[1]!).map((id) => (dir.users.has(id) ? userJson(dir.users.get(id)!, select) : { '@odata.type': '#microsoft.graph.group', id, displayName: dir.groups.get(id)?.displayName }));
      return page(res, url, items);
    }
    return graphError(res, 404, 'NotFound', `no route ${route}`);
  }

  function delta(res: ServerResponse, url: URL, kind: 'user' | 'group', select: string[] | undefined) {
    const token = url.searchParams.get('$deltatoken') ?? url.searchParams.get('$deltaToken');
    const deltaLink = (v: number) => `${base}/v1.0/${kind}s/delta?$deltatoken=${v}${select ? `&$select=${select.join(',')}` : ''}`;
    if (token === 'latest') return send(res, 200, { value: [], '@odata.deltaLink': deltaLink(dir.version) });
    const since = token === null ? 0 : Number(token);
    if (token !== null && since < faults.expiredBefore) return graphError(res, 410, 'syncStateNotFound', 'The delta token has expired.');
    const changed = dir.changes.filter((c) => c.version > since && c.kind === kind);
    const items: unknown[] = [];
    if (kind === 'user') {
      for (const id of new Set(changed.map((c) => c.id))) {
        const u = dir.users.get(id);
        items.push(u ? userJson(u, select) : { id, '@removed': { reason: 'deleted' } });
      }
    } else {
      for (const id of new Set(changed.map((c) => c.id))) {
        const g = dir.groups.get(id);
        if (!g) {
          items.push({ id, '@removed': { reason: 'deleted' } });
          continue;
        }
        const members = changed.filter((c) => c.id === id && c.member).map((c) => ({
          '@odata.type': dir.groups.has(c.member!.id) ? '#microsoft.graph.group' : '#microsoft.graph.user', id: c.member!.id, ...(c.member!.removed ? { '@removed': { reason: 'deleted' } } : {}),
        }));
        items.push({ id, displayName: g.displayName, ...(members.length > 0 ? { 'members@delta': members } : {}) });
      }
    }
    // Delta pages: skip tokens inside one round, the deltaLink at the end.
    const top = Math.min(Number(url.searchParams.get('$top') ?? 200), maxPage);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const next = new URL(url);
    next.searchParams.set('$skiptoken', String(skip + top));
    const slice = items.slice(skip, skip + top);
    send(res, 200, { value: slice, ...(skip + top < items.length ? { '@odata.nextLink': `${base}${next.pathname}${next.search}` } : { '@odata.deltaLink': deltaLink(dir.version) }) });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    dir,
    log,
    faults,
    graphRequests: () => log.filter((r) => r.path.startsWith('/v1.0/')),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export type FakeGraph = Awaited<ReturnType<typeof startFakeGraph>>;

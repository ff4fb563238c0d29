import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { FakeDirectory } from './directory.js';
import { graphError, route, type Answer } from './router.js';

export interface FakeGraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  cert: string;
  key: string;
  /** Largest page the fake serves (Graph: 999 for users). @defaultValue 999 */
  maxPage?: number;
}

/** `inner`: one request inside a $batch (what Graph's throttling counts); otherwise one HTTP request. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  inner?: boolean;
  /** ms since the epoch, when answered */ at: number;
}

export interface FakeGraphFaults {
  /** The next N Graph HTTP requests answer 429 (Retry-After: 1). */
  throttle: number;
  /** The next N inner requests of $batch answer 429 with their own Retry-After: 1. */
  innerThrottle: number;
  /** Delta tokens older than this version answer 410 syncStateNotFound. */
  expiredBefore: number;
  /** The next N Graph HTTP requests answer 503. */
  failNext: number;
  /** Paths (relative to /v1.0) matching this answer 403 Authorization_RequestDenied. */
  deny: RegExp | undefined;
  /** Paths (relative to /v1.0) matching this answer 404, as for an object deleted between two requests. */
  gone: RegExp | undefined;
  /** Paths (relative to /v1.0) matching this answer 400 Request_BadRequest, as Graph does for a value it cannot read as an id. */
  badRequest: RegExp | undefined;
  /** Every Graph answer waits this long, so concurrent requests overlap measurably. */
  latencyMs: number;
}

const BATCH_MAX = 20;

/**
 * A fake Microsoft identity platform + Graph over real HTTPS: client-credentials tokens, paged
 * /users, /groups and transitiveMembers with skip tokens, delta rounds from a change log, a strict
 * JSON $batch, 429 bursts with Retry-After, 403s, expiring delta tokens. Every Graph call checks
 * the bearer token.
 */
export async function startFakeGraph(o: FakeGraphOptions) {
  const dir = new FakeDirectory();
  const log: LoggedRequest[] = [];
  const tokens = new Set<string>();
  const faults: FakeGraphFaults = {
    throttle: 0,
    innerThrottle: 0,
    expiredBefore: 0,
    failNext: 0,
    deny: undefined,
    gone: undefined,
    badRequest: undefined,
    latencyMs: 0,
  };
  let base = '';
  const routes = { dir, maxPage: o.maxPage ?? 999, base: () => base, faults };

  const send = (res: ServerResponse, a: Answer) => {
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(JSON.stringify(a.body));
  };

  /** Graph HTTP requests being served now, and the most at once: how a client's concurrency bound is checked. */
  const load = { inFlight: 0, maxInFlight: 0 };

  const server = createServer({ cert: readFileSync(o.cert), key: readFileSync(o.key) }, (req, res) => {
    const graphCall = (req.url ?? '').startsWith('/v1.0/');
    if (graphCall) {
      load.inFlight += 1;
      load.maxInFlight = Math.max(load.maxInFlight, load.inFlight);
      res.on('close', () => (load.inFlight -= 1));
    }
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const done = res.end.bind(res);
      res.end = ((...args: Parameters<typeof res.end>) => {
        log.push({ method: req.method ?? 'GET', path: req.url ?? '', status: res.statusCode, at: Date.now() });
        return done(...args);
      }) as typeof res.end;
      const answer = handle(req, body);
      if (graphCall && faults.latencyMs > 0) setTimeout(() => send(res, answer), faults.latencyMs);
      else send(res, answer);
    });
  });

  /** The identity platform's error text: AADSTS code, sentences, then trace and correlation ids, as Entra words it. */
  const aadsts = (code: number, text: string) => {
    const trace = randomUUID();
    const correlation = randomUUID();
    return `AADSTS${code}: ${text} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`;
  };

  function handle(req: IncomingMessage, body: string): Answer {
    const url = new URL(req.url ?? '/', 'https://fake');
    const p = url.pathname;
    if (p === `/${o.tenantId}/v2.0/.well-known/openid-configuration`) {
      return {
        status: 200,
        body: {
          token_endpoint: `${base}/${o.tenantId}/oauth2/v2.0/token`,
          issuer: `${base}/${o.tenantId}/v2.0`,
          authorization_endpoint: `${base}/${o.tenantId}/oauth2/v2.0/authorize`,
          jwks_uri: `${base}/${o.tenantId}/discovery/v2.0/keys`,
          end_session_endpoint: `${base}/${o.tenantId}/oauth2/v2.0/logout`,
          response_modes_supported: ['query'],
        },
      };
    }
    if (p === `/${o.tenantId}/oauth2/v2.0/token` && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('client_id') !== o.clientId || form.get('client_secret') !== o.clientSecret) {
        const description = aadsts(
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${o.clientId}'.`,
        );
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: description,
            error_codes: [7000215],
            trace_id: randomUUID(),
            correlation_id: randomUUID(),
          },
        };
      }
      const token = `tok-${Math.random().toString(36).slice(2)}`;
      tokens.add(token);
      return {
        status: 200,
        body: { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token },
      };
    }
    if (!p.startsWith('/v1.0/')) return graphError(404, 'NotFound', `no route ${p}`);
    const auth = req.headers.authorization ?? '';
    if (!tokens.has(auth.replace(/^Bearer /, '')))
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
    if (faults.throttle > 0) {
      faults.throttle -= 1;
      return graphError(429, 'TooManyRequests', 'Too many requests', { 'retry-after': '1' });
    }
    if (faults.failNext > 0) {
      faults.failNext -= 1;
      return graphError(503, 'ServiceUnavailable', 'try later');
    }
    const relative = (req.url ?? '').slice('/v1.0'.length);
    if (p === '/v1.0/$batch')
      return req.method === 'POST' ? batch(body) : graphError(405, 'BadRequest', '$batch takes POST');
    if (req.method !== 'GET') return graphError(405, 'BadRequest', `the fake serves GET only`);
    return get(relative, headerOf(req.headers.prefer));
  }

  function get(relative: string, prefer?: string): Answer {
    if (faults.deny?.test(relative))
      return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    if (faults.badRequest?.test(relative))
      return graphError(400, 'Request_BadRequest', `Invalid object identifier in the filter.`);
    if (faults.gone?.test(relative))
      return graphError(
        404,
        'Request_ResourceNotFound',
        `Resource does not exist or one of its queried reference-property objects are not present.`,
      );
    return route(routes, relative, prefer);
  }

  /**
   * JSON batching as Graph documents it: at most 20 requests, each with a unique id, a method and
   * a URL relative to the version; the requests here must be independent (no dependsOn), so the
   * answers come back in another order than asked, each with its own status and headers.
   */
  function batch(body: string): Answer {
    let parsed: { requests?: unknown };
    try {
      parsed = JSON.parse(body) as { requests?: unknown };
    } catch {
      return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    }
    const requests = parsed.requests;
    if (!Array.isArray(requests) || requests.length === 0)
      return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    if (requests.length > BATCH_MAX)
      return graphError(
        400,
        'BadRequest',
        `Number of requests (${requests.length}) exceeds the limit of ${BATCH_MAX}.`,
      );
    const ids = new Set<string>();
    for (const r of requests as Record<string, unknown>[]) {
      if (typeof r.id !== 'string' || r.id === '' || ids.has(r.id))
        return graphError(400, 'BadRequest', 'Each request needs a unique, non-empty id.');
      ids.add(r.id);
      if (r.method !== 'GET') return graphError(400, 'BadRequest', `Request ${r.id}: the fake batches GET only.`);
      if (typeof r.url !== 'string' || /^https?:/i.test(r.url) || r.url.startsWith('/v1.0/'))
        return graphError(400, 'BadRequest', `Request ${r.id}: url must be relative to the version.`);
      if ('dependsOn' in r) return graphError(400, 'BadRequest', `Request ${r.id}: dependsOn is not expected here.`);
    }
    const responses = (requests as { id: string; url: string; headers?: Record<string, string> }[]).map((r) => {
      const relative = r.url.startsWith('/') ? r.url : `/${r.url}`;
      let a: Answer;
      if (faults.innerThrottle > 0) {
        faults.innerThrottle -= 1;
        a = graphError(429, 'TooManyRequests', 'Too many requests', { 'Retry-After': '1' });
      } else {
        const prefer = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'prefer')?.[1];
        a = get(relative, prefer);
      }
      log.push({ method: 'GET', path: `/v1.0${relative}`, status: a.status, inner: true, at: Date.now() });
      return {
        id: r.id,
        status: a.status,
        headers: { 'Content-Type': 'application/json', ...a.headers },
        body: a.body,
      };
    });
    return { status: 200, body: { responses: responses.reverse() } };
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    dir,
    log,
    faults,
    load,
    /** HTTP requests to Graph (a $batch counts once). */
    graphRequests: () => log.filter((r) => !r.inner && r.path.startsWith('/v1.0/')),
    /** Graph operations: plain requests plus each request inside a $batch (what throttling counts). */
    graphCalls: () => log.filter((r) => r.path.startsWith('/v1.0/') && r.path !== '/v1.0/$batch'),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type FakeGraph = Awaited<ReturnType<typeof startFakeGraph>>;

function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import type { AuditFilter, AuditPage } from '../store/audit-log.js';
import type { Plan } from '../model/index.js';
import type { Explanation } from '../app/explain-person.js';
import { renderExplanationHtml } from './explain-page.js';
import type { RunView } from '../store/run-record.js';
import { checkFormToken, formToken, sameOrigin } from './csrf.js';
import { caller, clearedSessionCookie, sessionCookie, sessionValue, tokenFor, type NamedToken } from './credentials.js';
import { esc, page } from './page-kit.js';
import { renderRunPage, renderStatusPage, type ProfileStatus } from './status-page.js';
import type { Metrics } from './metrics.js';

export interface HttpDeps {
  host: string;
  port: number;
  /**
   * Who may see the pages and decide (`daemon.http.token` and `daemon.http.tokens`): each by name,
   * so a decision records who made it. None: the pages are open (loopback, or a non-loopback host
   * only with `daemon.http.allowUnauthenticated`; the config refuses it otherwise).
   */
  tokens?: NamedToken[];
  /**
   * `daemon.http.trustProxy`: a reverse proxy is in front, so its X-Forwarded-Host (the origin
   * check) and X-Forwarded-Proto (the Secure cookie) are believed. Off: those headers are ignored.
   */
  trustProxy?: boolean;
  /** Server timeouts and caps; the defaults are HTTP_LIMITS (tests shorten them). */
  limits?: Partial<HttpLimits>;
  metrics: Metrics;
  log: Logger;
  /** `profiles`: a line per profile that is misconfigured without making the process unready. */
  ready: () => Promise<{ ok: boolean; checks: Record<string, string>; profiles?: Record<string, string> }>;
  beforeScrape: () => Promise<void>;
  status: () => Promise<ProfileStatus[]>;
  run: (profile: string, runId: string) => Promise<RunView | undefined>;
  /** The run's stored plan (ops in words, a blocked plan's deletions). */
  plan?: (profile: string, runId: string) => Promise<Plan | undefined>;
  /** One person step by step (`rostersync explain`); undefined for an unknown profile. */
  explain?: (profile: string, email: string) => Promise<Explanation | undefined>;
  /** A page of the run's changes (its audit), filtered by person and kind. */
  changes?: (
    profile: string,
    runId: string,
    filter: AuditFilter,
    offset: number,
    limit: number,
  ) => Promise<AuditPage | undefined>;
  /**
   * Hands Approve / Reject to a sync worker; 'not-pending' when the run no longer waits, `taken`
   * (one line) when another decision on it was claimed first.
   */
  decide?: (
    profile: string,
    runId: string,
    action: 'approve' | 'reject',
    by: string,
  ) => Promise<'queued' | 'not-pending' | { taken: string }>;
}

export interface HttpLimits {
  /** The whole request head must arrive within this (a client trickling headers is cut off: 408). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are refused (closed on accept). */
  maxConnections: number;
  /** How often the server looks for requests past headersTimeoutMs / requestTimeoutMs. */
  checkIntervalMs: number;
}

/**
 * Explicit, not Node's defaults (60 s for the head, 300 s for a request, no connection cap): the
 * pages and their forms are small, so a slow or hoarding client is cut off early.
 */
export const HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
  checkIntervalMs: 1_000,
};

/** A path, a run id or a query the server will not read (a bad `%` escape): 400, not 500. */
class BadRequest extends Error {}

/** /healthz, /readyz, /metrics, the status page and run details. Loopback by default. */
export async function startHttp(deps: HttpDeps): Promise<Server> {
  const limits = { ...HTTP_LIMITS, ...deps.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      handle(deps, req, res).catch((err: Error) => {
        if (err instanceof BadRequest) {
          if (!res.headersSent) send(res, 400, 'text/plain', `bad request: ${err.message}\n`);
          return;
        }
        deps.log.error({ err: err.message, path: req.url }, 'http handler failed');
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err as NodeJS.ErrnoException, deps.host, deps.port)));
    server.listen(deps.port, deps.host, () => resolve());
  });
  return server;
}

const LISTEN_PROBLEMS: Record<string, { key: string; what: string }> = {
  EADDRINUSE: { key: 'daemon.http.port', what: 'is already in use by another process: stop it or choose another port' },
  EACCES: { key: 'daemon.http.port', what: 'may not be bound by this user: choose a port above 1023' },
  EADDRNOTAVAIL: { key: 'daemon.http.host', what: 'is not an address of this machine: choose one it has, or 0.0.0.0' },
};

/**
 * A port taken, privileged, or a host that is not ours is a config problem (exit 78, one line
 * naming the key), not a bug: the operator fixes it in the config, and restarting alone would not.
 */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const problem = err.code ? LISTEN_PROBLEMS[err.code] : undefined;
  if (!problem) return err;
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new ConfigError(`${problem.key}: ${where} ${problem.what} (${err.code})`, problem.key, { cause: err });
}

/** No scripts anywhere: even a value that escaped escaping could not run. Forms post only to this origin. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS });
  res.end(body);
}

/**
 * A run id as newRunId (src/app/run-sync.ts) makes it: `<profile>-YYYYMMDD-HHMMSS-<6 hex>`. Anything
 * else in a run's place in a path (`<id>:plan`, `<id>:failures`, another profile's run) names
 * another key of the store, or none: it is no run.
 */
export function isRunId(profile: string, runId: string): boolean {
  return (
    runId.length === profile.length + 23 &&
    runId.startsWith(`${profile}-`) &&
    /^\d{8}-\d{6}-[0-9a-f]{6}$/.test(runId.slice(profile.length + 1))
  );
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadRequest('malformed % escape in the path');
  }
}

/** The profile and run id of `/runs/<profile>/<runId>[/decision]`, decoded; undefined when the id is not a run id's shape. */
function runPath(m: RegExpExecArray): { profile: string; runId: string } | undefined {
  const profile = decoded(m[1]!);
  const runId = decoded(m[2]!);
  return isRunId(profile, runId) ? { profile, runId } : undefined;
}

function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://daemon');
  } catch {
    throw new BadRequest('unreadable request target');
  }
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  // Every POST here is a short form: one declared too long is refused before anything else (a
  // chunked one is cut off by readForm when it grows past the limit).
  if (req.method === 'POST' && Number(req.headers['content-length'] ?? 0) > MAX_BODY) return tooLarge(res);
  const tokens = deps.tokens ?? [];
  if (url.pathname === '/signin') return signIn(deps, req, res, url);
  if (url.pathname === '/signout' && req.method === 'POST') return signOut(deps, req, res);
  const who = caller(req, tokens);
  const decision = /^\/runs\/([^/]+)\/([^/]+)\/decision$/.exec(url.pathname);
  if (req.method === 'POST' && decision) {
    if (!who) return unauthorised(req, res, url);
    const at = runPath(decision);
    if (!at) return send(res, 404, 'text/plain', 'no such run\n');
    return postDecision(deps, req, res, who, at.profile, at.runId);
  }
  if (decision) {
    res.setHeader('allow', 'POST');
    return send(res, 405, 'text/plain', 'decisions are POSTed by the run page form\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (url.pathname === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}\n');
  if (!who) return unauthorised(req, res, url);
  if (url.pathname === '/readyz') {
    const r = await deps.ready();
    return send(
      res,
      r.ok ? 200 : 503,
      'application/json',
      JSON.stringify({ status: r.ok ? 'ready' : 'not ready', checks: r.checks, profiles: r.profiles ?? {} }) + '\n',
    );
  }
  if (url.pathname === '/metrics') {
    await deps.beforeScrape();
    return send(res, 200, deps.metrics.registry.contentType, await deps.metrics.registry.metrics());
  }
  if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', renderStatusPage(await deps.status()));
  if (url.pathname === '/people' && deps.explain) return explainPage(deps, req, res, url);
  const m = /^\/runs\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (m) {
    const at = runPath(m);
    const run = at ? await deps.run(at.profile, at.runId) : undefined;
    if (!at || !run) return send(res, 404, 'text/plain', 'no such run\n');
    const profile = at.profile;
    const view = changesView(url);
    const changes = await deps.changes?.(
      profile,
      run.runId,
      view.filter,
      (view.pageNo - 1) * CHANGES_PER_PAGE,
      CHANGES_PER_PAGE,
    );
    const json = url.searchParams.get('format') === 'json' || (req.headers.accept ?? '').includes('application/json');
    if (json)
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({ ...run, ...(changes ? { changes } : {}) }, null, 2) + '\n',
      );
    // Only a blocked run's page lists its plan (the deletions to decide on); failures carry their op
    // in words, so a finished run of 750,000 ops is not read whole to show a page.
    const plan = run.blocked || run.approval ? await deps.plan?.(profile, run.runId) : undefined;
    const pending = run.approval?.state === 'pending' && who.token !== undefined && deps.decide !== undefined;
    const notice = NOTICES[url.searchParams.get('notice') ?? ''];
    return send(
      res,
      200,
      'text/html; charset=utf-8',
      renderRunPage(profile, run, {
        ...(plan ? { plan } : {}),
        ...(changes ? { changes: { ...view, page: changes, perPage: CHANGES_PER_PAGE } } : {}),
        page: Number(url.searchParams.get('page') ?? 1) || 1,
        ...(pending ? { csrf: formToken(who.token!.token, profile, run.runId) } : {}),
        ...(notice ? { notice } : {}),
      }),
    );
  }
  return send(res, 404, 'text/plain', 'not found\n');
}

let explaining = false;

/**
 * `/people?profile=P&email=E`: one person step by step. Each reads the whole directory and target,
 * so one runs at a time per daemon; another asked meanwhile gets 429 and tries again.
 */
async function explainPage(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const profile = url.searchParams.get('profile') ?? '';
  const email = (url.searchParams.get('email') ?? '').trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return send(res, 400, 'text/plain', 'email: expected an email address\n');
  if (explaining) {
    res.setHeader('retry-after', '5');
    return send(res, 429, 'text/plain', 'another explain is running: try again in a few seconds\n');
  }
  explaining = true;
  try {
    const x = await deps.explain!(profile, email);
    if (!x) return send(res, 404, 'text/plain', 'no such profile\n');
    const json = url.searchParams.get('format') === 'json' || (req.headers.accept ?? '').includes('application/json');
    if (json) return send(res, 200, 'application/json', JSON.stringify(x, null, 2) + '\n');
    return send(res, 200, 'text/html; charset=utf-8', renderExplanationHtml(x));
  } finally {
    explaining = false;
  }
}

const CHANGES_PER_PAGE = 50;

/** The run page's changes list as its query asks: `person`, `kind`, `changes` (the 1-based page). */
function changesView(url: URL): { filter: AuditFilter; pageNo: number } {
  const person = url.searchParams.get('person')?.trim();
  const kind = url.searchParams.get('kind')?.trim();
  return {
    filter: { ...(person ? { person } : {}), ...(kind ? { action: kind } : {}) },
    pageNo: Math.max(1, Number(url.searchParams.get('changes') ?? 1) || 1),
  };
}

/** A browser asking for a page is sent to the sign-in form; any other client gets the Bearer challenge. */
function unauthorised(req: IncomingMessage, res: ServerResponse, url: URL): void {
  const page = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
  if (page && (url.pathname === '/' || url.pathname === '/people' || url.pathname.startsWith('/runs/'))) {
    res.writeHead(303, {
      location: `/signin?next=${encodeURIComponent(url.pathname + url.search)}`,
      'cache-control': 'no-store',
      ...SECURITY_HEADERS,
    });
    return void res.end();
  }
  res.setHeader('www-authenticate', 'Bearer');
  send(res, 401, 'text/plain', 'unauthorized\n');
}

/** Only a path of this site: never `//host` or an absolute URL (no open redirect). */
function localPath(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

function signInPage(next: string, problem?: string): string {
  return page(
    'rostersync: sign in',
    `<h1>rostersync</h1><section class="card"><h2>Sign in</h2>${problem ? `<p class="reason">${esc(problem)}</p>` : ''}
<form method="post" action="/signin"><input type="hidden" name="next" value="${esc(next)}">
<label>Token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form>
<p class="muted">The token is one of <code>daemon.http.token</code> or <code>daemon.http.tokens</code>. Signing in sets a cookie that scripts cannot read and that no other site's request carries, for 12 hours.</p></section>`,
    false,
  );
}

/**
 * GET shows the form; POST checks the token (from this origin only) and sets the session cookie:
 * HttpOnly, SameSite=Strict, Secure behind https. Decisions still need the page's form token.
 */
async function signIn(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const tokens = deps.tokens ?? [];
  if (req.method === 'GET' || req.method === 'HEAD')
    return send(res, 200, 'text/html; charset=utf-8', signInPage(localPath(url.searchParams.get('next'))));
  if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (!sameOrigin(req, deps.trustProxy)) return send(res, 403, 'text/plain', 'cross-site request refused\n');
  const form = await readForm(req);
  if (form === TOO_LARGE) return tooLarge(res);
  const next = localPath(form?.get('next') ?? null);
  const t = tokens.length > 0 ? tokenFor(tokens, form?.get('token') ?? '') : undefined;
  if (!t) {
    deps.log.warn({ path: '/signin' }, 'status page sign-in refused: unknown token');
    return send(res, 401, 'text/html; charset=utf-8', signInPage(next, 'That token is not one of this daemon’s.'));
  }
  const secure =
    (req.socket as { encrypted?: boolean }).encrypted === true ||
    (deps.trustProxy === true && req.headers['x-forwarded-proto'] === 'https');
  deps.log.info({ by: t.name }, 'signed in to the status page');
  res.writeHead(303, {
    location: next,
    'set-cookie': sessionCookie(sessionValue(t), secure),
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end();
}

function signOut(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): void {
  if (!sameOrigin(req, deps.trustProxy)) return send(res, 403, 'text/plain', 'cross-site request refused\n');
  res.writeHead(303, {
    location: '/signin',
    'set-cookie': clearedSessionCookie(),
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end();
}

const NOTICES: Record<string, string> = {
  approve: 'Approved: the plan is checked against the directory and the target, then applied. This page follows it.',
  reject: 'Rejected: nothing is applied.',
};

/** Form bodies are a few short fields: a POST body longer than this is refused with 413. */
export const MAX_BODY = 4096;
const TOO_LARGE = Symbol('too large');

/** 413, and the connection closes: the rest of the body is not read. */
function tooLarge(res: ServerResponse): void {
  res.setHeader('connection', 'close');
  send(res, 413, 'text/plain', `request body over ${MAX_BODY} bytes\n`);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return resolve(TOO_LARGE);
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return resolve(undefined);
    let body = '';
    let size = 0;
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      size += Buffer.byteLength(c);
      if (size > MAX_BODY) {
        req.pause();
        return resolve(TOO_LARGE);
      }
      body += c;
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

/**
 * Approve / Reject from the run page: POST only, by a named token (Bearer or the sign-in cookie),
 * from this origin, with the page's form token for this run (keyed by that caller's token). The decision is queued for a sync worker, which takes the profile
 * lock and records who and when; the answer sends the browser back to the run page (303).
 */
async function postDecision(
  deps: HttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  who: NonNullable<ReturnType<typeof caller>>,
  profile: string,
  runId: string,
): Promise<void> {
  if (!who.token || !deps.decide)
    return send(
      res,
      403,
      'text/plain',
      'decisions from the status page need daemon.http.token or daemon.http.tokens; from a shell use rostersync approve|reject RUN_ID\n',
    );
  if (!sameOrigin(req, deps.trustProxy)) return send(res, 403, 'text/plain', 'cross-site request refused\n');
  const form = await readForm(req);
  if (form === TOO_LARGE) return tooLarge(res);
  const action = form?.get('action');
  if (!form || !checkFormToken(who.token.token, profile, runId, form.get('csrf') ?? ''))
    return send(res, 403, 'text/plain', 'form token missing, expired or not for this run: reload the run page\n');
  if (action !== 'approve' && action !== 'reject')
    return send(res, 400, 'text/plain', 'action must be approve or reject\n');
  const by = who.name;
  const result = await deps.decide(profile, runId, action, by);
  if (result === 'not-pending')
    return send(res, 409, 'text/plain', `run ${runId} is not waiting for a decision (decided, expired or replaced)\n`);
  // A concurrent decision won the run: this one is refused, and only the winner is logged.
  if (result !== 'queued') return send(res, 409, 'text/plain', `${result.taken.replace(/[\r\n]+/g, ' ')}\n`);
  deps.log.info({ profile, runId, action, by }, 'decision received from the status page');
  res.writeHead(303, {
    location: `/runs/${encodeURIComponent(profile)}/${encodeURIComponent(runId)}?notice=${action}`,
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end();
}

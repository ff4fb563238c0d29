import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import type { Plan } from '../model/index.js';
import type { RunView } from '../store/run-record.js';
import { checkFormToken, formToken, sameOrigin } from './csrf.js';
import { renderRunPage, renderStatusPage, type ProfileStatus } from './status-page.js';
import type { Metrics } from './metrics.js';

export interface HttpDeps {
  host: string;
  port: number;
  token?: string;
  metrics: Metrics;
  log: Logger;
  ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  beforeScrape: () => Promise<void>;
  status: () => Promise<ProfileStatus[]>;
  run: (profile: string, runId: string) => Promise<RunView | undefined>;
  /** The run's stored plan (ops in words, a blocked plan's deletions). */
  plan?: (profile: string, runId: string) => Promise<Plan | undefined>;
  /** Hands Approve / Reject to a sync worker; 'not-pending' when the run no longer waits. */
  decide?: (
    profile: string,
    runId: string,
    action: 'approve' | 'reject',
    by: string,
  ) => Promise<'queued' | 'not-pending'>;
  /** Who a decision made with the token is recorded as. @defaultValue 'status-page' */
  tokenName?: string;
}

/** /healthz, /readyz, /metrics, the status page and run details. Loopback by default. */
export async function startHttp(deps: HttpDeps): Promise<Server> {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: Error) => {
      deps.log.error({ err: err.message, path: req.url }, 'http handler failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    });
  });
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

/** `Authorization: Bearer <token>` only: a bare token or another scheme is refused, as RFC 6750 has it. */
function authorised(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://daemon');
  const decision = /^\/runs\/([^/]+)\/([^/]+)\/decision$/.exec(url.pathname);
  if (req.method === 'POST' && decision) {
    if (!authorised(req, deps.token)) return unauthorised(res);
    return postDecision(deps, req, res, decodeURIComponent(decision[1]!), decodeURIComponent(decision[2]!));
  }
  if (decision) {
    res.setHeader('allow', 'POST');
    return send(res, 405, 'text/plain', 'decisions are POSTed by the run page form\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (url.pathname === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}\n');
  if (!authorised(req, deps.token)) return unauthorised(res);
  if (url.pathname === '/readyz') {
    const r = await deps.ready();
    return send(
      res,
      r.ok ? 200 : 503,
      'application/json',
      JSON.stringify({ status: r.ok ? 'ready' : 'not ready', checks: r.checks }) + '\n',
    );
  }
  if (url.pathname === '/metrics') {
    await deps.beforeScrape();
    return send(res, 200, deps.metrics.registry.contentType, await deps.metrics.registry.metrics());
  }
  if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', renderStatusPage(await deps.status()));
  const m = /^\/runs\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (m) {
    const run = await deps.run(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
    if (!run) return send(res, 404, 'text/plain', 'no such run\n');
    const json = url.searchParams.get('format') === 'json' || (req.headers.accept ?? '').includes('application/json');
    if (json) return send(res, 200, 'application/json', JSON.stringify(run, null, 2) + '\n');
    const profile = decodeURIComponent(m[1]!);
    // Only a blocked run's page lists its plan (the deletions to decide on); failures carry their op
    // in words, so a finished run of 750,000 ops is not read whole to show a page.
    const plan = run.blocked || run.approval ? await deps.plan?.(profile, run.runId) : undefined;
    const pending = run.approval?.state === 'pending' && deps.token !== undefined && deps.decide !== undefined;
    const notice = NOTICES[url.searchParams.get('notice') ?? ''];
    return send(
      res,
      200,
      'text/html; charset=utf-8',
      renderRunPage(profile, run, {
        ...(plan ? { plan } : {}),
        page: Number(url.searchParams.get('page') ?? 1) || 1,
        ...(pending ? { csrf: formToken(deps.token!, profile, run.runId) } : {}),
        ...(notice ? { notice } : {}),
      }),
    );
  }
  return send(res, 404, 'text/plain', 'not found\n');
}

function unauthorised(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer');
  send(res, 401, 'text/plain', 'unauthorized\n');
}

const NOTICES: Record<string, string> = {
  approve: 'Approved: the plan is checked against the directory and the target, then applied. This page follows it.',
  reject: 'Rejected: nothing is applied.',
};

/** Form bodies are two short fields: anything longer is not ours. */
const MAX_BODY = 4096;

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve, reject) => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return resolve(undefined);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > MAX_BODY) {
        req.destroy();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

/**
 * Approve / Reject from the run page: POST only, behind the Bearer token, from this origin, with the
 * page's form token for this run. The decision is queued for a sync worker, which takes the profile
 * lock and records who and when; the answer sends the browser back to the run page (303).
 */
async function postDecision(
  deps: HttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  profile: string,
  runId: string,
): Promise<void> {
  if (!deps.token || !deps.decide)
    return send(
      res,
      403,
      'text/plain',
      'decisions from the status page need daemon.http.token; from a shell use rostersync approve|reject RUN_ID\n',
    );
  if (!sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-site request refused\n');
  const form = await readForm(req);
  const action = form?.get('action');
  if (!form || !checkFormToken(deps.token, profile, runId, form.get('csrf') ?? ''))
    return send(res, 403, 'text/plain', 'form token missing, expired or not for this run: reload the run page\n');
  if (action !== 'approve' && action !== 'reject')
    return send(res, 400, 'text/plain', 'action must be approve or reject\n');
  const by = deps.tokenName ?? 'status-page';
  const result = await deps.decide(profile, runId, action, by);
  if (result === 'not-pending')
    return send(res, 409, 'text/plain', `run ${runId} is not waiting for a decision (decided, expired or replaced)\n`);
  deps.log.info({ profile, runId, action, by }, 'decision received from the status page');
  res.writeHead(303, {
    location: `/runs/${encodeURIComponent(profile)}/${encodeURIComponent(runId)}?notice=${action}`,
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end();
}

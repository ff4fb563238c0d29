import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { RunView } from '../store/run-record.js';
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
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  return server;
}

/** No scripts anywhere: even a value that escaped escaping could not run. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
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
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (url.pathname === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}\n');
  if (!authorised(req, deps.token)) {
    res.setHeader('www-authenticate', 'Bearer');
    return send(res, 401, 'text/plain', 'unauthorized\n');
  }
  if (url.pathname === '/readyz') {
    const r = await deps.ready();
    return send(res, r.ok ? 200 : 503, 'application/json', JSON.stringify({ status: r.ok ? 'ready' : 'not ready', checks: r.checks }) + '\n');
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
    return json ? send(res, 200, 'application/json', JSON.stringify(run, null, 2) + '\n') : send(res, 200, 'text/html; charset=utf-8', renderRunPage(decodeURIComponent(m[1]!), run));
  }
  return send(res, 404, 'text/plain', 'not found\n');
}

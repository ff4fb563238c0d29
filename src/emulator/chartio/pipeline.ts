import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, MSG, type Ctx } from './context.js';
import type { FaultDice, SlidingWindowLimiter } from './faults.js';
import type { Hrefs } from './hal.js';
import type { ResourceStore } from './resources.js';
import { matchRoute } from './router.js';
import type { OrgStore } from './store.js';
import type { EmulatorStats, Reply, RequestLogEntry, ResolvedOptions } from './types.js';

/** What one request needs from the emulator; read fresh per request so reset() and setOptions() apply at once. */
export interface PipelineDeps {
  options(): ResolvedOptions;
  store(): OrgStore;
  resources(): ResourceStore;
  hrefs(): Hrefs;
  limiter(): SlidingWindowLimiter | undefined;
  dice: FaultDice;
  stats: EmulatorStats;
  log: RequestLogEntry[];
}

const MAX_BODY = 1024 * 1024;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Order per request: reset fault, latency, rate limit (429, not applied), injected 5xx (not applied),
 * auth (401) and org (403), route (404/405), body (400), handler, then applied-then-5xx for writes.
 */
export async function handleRequest(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const o = deps.options();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const entry: RequestLogEntry = {
    method, path: url.pathname + url.search, status: 0, timestamp: o.now(), applied: false, ip: req.socket.remoteAddress ?? 'unknown',
  };
  const s = deps.stats;
  s.requests++;
  if (WRITE_METHODS.has(method)) s.writes++;
  else s.reads++;

  if (deps.dice.reset()) {
    s.resets++;
    record(deps, { ...entry, fault: 'reset' });
    req.socket.destroy();
    return;
  }
  const body = await readBody(req);
  const delay = deps.dice.latencyMs();
  if (delay > 0) await sleep(delay);

  const admission = deps.limiter()?.take(entry.ip) ?? { ok: true };
  if (!admission.ok) {
    s.rateLimited++;
    const retryAfter = String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000)));
    return send(deps, res, { ...entry, fault: 'rate-limited' }, fail(429, MSG.rateLimited, { 'retry-after': retryAfter }));
  }
  const injected = deps.dice.error();
  if (injected !== undefined) {
    s.injected5xx++;
    return send(deps, res, { ...entry, fault: 'error' }, fail(injected, MSG.serverError));
  }

  const reply = dispatch(deps, method, url, req.headers.authorization, body);
  if (reply.applied) {
    s.writesApplied++;
    entry.applied = true;
    const after = deps.dice.appliedButError();
    if (after !== undefined) {
      s.appliedThen5xx++;
      return send(deps, res, { ...entry, fault: 'applied-then-error' }, fail(after, MSG.serverError));
    }
  }
  send(deps, res, entry, reply);
}

function dispatch(deps: PipelineDeps, method: string, url: URL, authorization: string | undefined, raw: string | undefined): Reply {
  const o = deps.options();
  if (raw === undefined) return fail(413, 'Request body too large.');
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.startsWith('/v1/')) return fail(404, MSG.notFound);
  if (!authorized(o, authorization)) return fail(401, MSG.unauthorized, { 'www-authenticate': 'Basic realm="Chartio Admin API"' });
  const rawSegments = path.slice('/v1/'.length).split('/');
  if (rawSegments[0] !== o.org) return fail(403, MSG.forbidden);
  let segments: string[];
  try {
    segments = rawSegments.slice(1).map(decodeURIComponent);
  } catch {
    return fail(404, MSG.notFound);
  }
  const match = matchRoute(method, segments);
  if (match.kind === 'no-route') return fail(404, MSG.notFound);
  if (match.kind === 'bad-method') return fail(405, `Method "${method}" not allowed.`, { allow: match.allow.join(', ') });

  let body: unknown;
  if (BODY_METHODS.has(method) && raw.trim() !== '') {
    try {
      body = JSON.parse(raw);
    } catch {
      return fail(400, MSG.malformed);
    }
  }
  const ctx: Ctx = {
    store: deps.store(), resources: deps.resources(), hrefs: deps.hrefs(), options: o, params: match.params, query: url.searchParams, body,
  };
  try {
    return match.handler(ctx);
  } catch (err) {
    o.logger.error({ err, method, path }, 'chartio emulator handler failed');
    return fail(500, MSG.serverError);
  }
}

/** Constant-time compare of `key:secret`; the secret never leaves this function. */
function authorized(o: ResolvedOptions, header: string | undefined): boolean {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  return timingSafeEqual(digest(given), digest(`${o.apiKey}:${o.apiSecret}`));
}

/** The whole body as text, or undefined when it exceeds 1 MiB. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(deps: PipelineDeps, res: ServerResponse, entry: RequestLogEntry, reply: Reply): void {
  entry.status = reply.status;
  record(deps, entry);
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}

function record(deps: PipelineDeps, entry: RequestLogEntry): void {
  const s = deps.stats;
  s.byStatus[entry.status] = (s.byStatus[entry.status] ?? 0) + 1;
  const o = deps.options();
  if (o.maxLogEntries > 0) {
    deps.log.push(entry);
    // Drop a tenth at a time so a full log costs one memmove per many requests, not per request.
    if (deps.log.length > o.maxLogEntries) deps.log.splice(0, deps.log.length - Math.floor(o.maxLogEntries * 0.9));
  }
  o.logger.debug({ method: entry.method, path: entry.path, status: entry.status, applied: entry.applied, fault: entry.fault }, 'chartio emulator request');
}

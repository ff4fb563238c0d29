import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROL_PREFIX, controlReply } from './control.js';
import type { EmulatorRuntime } from './runtime.js';
import type { FaultOptions, RateWindow, Reply, RequestLogEntry } from './types.js';

/** One parsed request as an emulator's router sees it. */
export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The whole body as text, or undefined when it exceeded 1 MiB. */
  raw: string | undefined;
  ip: string;
}

export type Dispatch = (req: EmulatorRequest) => Reply;

/** What differs per emulator in the generic stages: its name and its own error bodies. */
export interface PipelineHooks {
  /** The target kind: prefixes log lines. */
  name: string;
  rateLimited(retryAfterSeconds: string): Reply;
  serverError(status: number): Reply;
  /** Full reset (domain state and runtime), for POST /_emulator/reset. */
  reset(): void;
  /** What the rate limit counts on (e.g. the API key). @defaultValue the client IP */
  rateKey?(req: { headers: IncomingHttpHeaders; ip: string }): string;
  /** Headers every answer carries about the caller's rate window (X-RateLimit-*), rate limit on. */
  rateHeaders?(window: RateWindow): Record<string, string>;
  /** The emulator's own control endpoints under /_emulator/ (e.g. accepting invitations). */
  control?(method: string, name: string, raw: string): Reply | undefined;
}

const MAX_BODY = 1024 * 1024;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Order per request: control endpoints (outside everything below), reset fault, latency, rate limit
 * (429 with Retry-After, not applied), injected 5xx (not applied), the emulator's dispatch (auth,
 * routes, handlers), then applied-then-5xx for writes that changed state.
 */
export async function handleRequest<O extends FaultOptions>(
  runtime: EmulatorRuntime<O>,
  hooks: PipelineHooks,
  dispatch: Dispatch,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const o = runtime.options;
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  if (url.pathname.startsWith(CONTROL_PREFIX)) {
    write(
      res,
      controlReply(runtime, hooks.reset, method, url.pathname, (await readBody(req)) ?? '', hooks.control?.bind(hooks)),
    );
    return;
  }
  const entry: RequestLogEntry = {
    method,
    path: url.pathname + url.search,
    status: 0,
    timestamp: o.now(),
    applied: false,
    ip: req.socket.remoteAddress ?? 'unknown',
  };
  const s = runtime.stats;
  s.requests++;
  if (WRITE_METHODS.has(method)) s.writes++;
  else s.reads++;

  if (runtime.dice.reset()) {
    s.resets++;
    runtime.record({ ...entry, fault: 'reset' }, hooks.name);
    req.socket.destroy();
    return;
  }
  const raw = await readBody(req);
  const delay = runtime.dice.latencyMs();
  if (delay > 0) await sleep(delay);

  const limiter = runtime.limiter();
  const rateKey = hooks.rateKey?.({ headers: req.headers, ip: entry.ip }) ?? entry.ip;
  const admission = limiter?.take(rateKey) ?? { ok: true };
  // Every answer from here on says where the caller stands in its window, when the emulator tells.
  const extra = limiter && hooks.rateHeaders ? hooks.rateHeaders(limiter.window(rateKey)) : undefined;
  const send = (e: RequestLogEntry, reply: Reply) =>
    sendReply(runtime, hooks, res, e, extra ? { ...reply, headers: { ...extra, ...reply.headers } } : reply);
  if (!admission.ok) {
    s.rateLimited++;
    const retryAfter = String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000)));
    return send({ ...entry, fault: 'rate-limited' }, hooks.rateLimited(retryAfter));
  }
  const injected = runtime.dice.error();
  if (injected !== undefined) {
    s.injected5xx++;
    return send({ ...entry, fault: 'error' }, hooks.serverError(injected));
  }

  let reply: Reply;
  try {
    reply = dispatch({ method, url, headers: req.headers, raw, ip: entry.ip });
  } catch (err) {
    o.logger.error({ err, method, path: url.pathname }, `${hooks.name} emulator handler failed`);
    reply = hooks.serverError(500);
  }
  if (reply.applied) {
    s.writesApplied++;
    entry.applied = true;
    const after = runtime.dice.appliedButError();
    if (after !== undefined) {
      s.appliedThen5xx++;
      return send({ ...entry, fault: 'applied-then-error' }, hooks.serverError(after));
    }
  }
  send(entry, reply);
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

function sendReply<O extends FaultOptions>(
  runtime: EmulatorRuntime<O>,
  hooks: PipelineHooks,
  res: ServerResponse,
  entry: RequestLogEntry,
  reply: Reply,
): void {
  entry.status = reply.status;
  runtime.record(entry, hooks.name);
  write(res, reply);
}

function write(res: ServerResponse, reply: Reply): void {
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

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 picks a free port) and serves every request through the pipeline. */
export async function listen<O extends FaultOptions>(
  runtime: EmulatorRuntime<O>,
  hooks: PipelineHooks,
  dispatch: Dispatch,
  host: string,
  port: number,
): Promise<Listening> {
  const server = createServer((req, res) => {
    handleRequest(runtime, hooks, dispatch, req, res).catch((err: unknown) => {
      runtime.options.logger.error({ err }, `${hooks.name} emulator request failed`);
      if (!res.headersSent) write(res, hooks.serverError(500));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

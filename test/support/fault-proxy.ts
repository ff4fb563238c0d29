import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does with one request:
 * - pass: forward, answer as the upstream did
 * - html502: an HTML "Bad Gateway" page, not forwarded
 * - html200: an HTML login page with 200, not forwarded (an SSO proxy whose session expired)
 * - truncate: forwarded (the write happens), the answer's body cut in half
 * - empty: forwarded, the answer's body dropped
 * - wrongCount: forwarded, a list page's `count` raised by one
 * - hang: not forwarded, never answered (the client's timeout ends it)
 * - hangBody: forwarded, status and half the body sent, then nothing more
 */
export type Fault = 'pass' | 'html502' | 'html200' | 'truncate' | 'empty' | 'wrongCount' | 'hang' | 'hangBody';

export interface ProxiedRequest {
  method: string;
  path: string;
}

export interface FaultProxy {
  url: string;
  /** Every request with the fault it met. */
  log: Array<ProxiedRequest & { fault: Fault }>;
  setFaults(decide: (req: ProxiedRequest) => Fault): void;
  close(): Promise<void>;
}

const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login" method="post"><input name="user"><input name="password" type="password"></form></body></html>';
const BAD_GATEWAY =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/** A misbehaving HTTP proxy in front of an emulator, for fault-injection tests. */
export async function startFaultProxy(
  upstream: string,
  decide: (req: ProxiedRequest) => Fault = () => 'pass',
): Promise<FaultProxy> {
  const log: FaultProxy['log'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const info = { method: req.method ?? 'GET', path: req.url ?? '/' };
    const fault = decide(info);
    log.push({ ...info, fault });
    const body = await readAll(req);
    if (fault === 'hang') return; // the socket stays open until the client gives up
    if (fault === 'html502') return void res.writeHead(502, { 'content-type': 'text/html' }).end(BAD_GATEWAY);
    if (fault === 'html200')
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LOGIN_PAGE);
    const up = await fetch(new URL(info.path, upstream), {
      method: info.method,
      headers: Object.fromEntries(
        Object.entries(req.headers)
          .filter(([k]) => !['host', 'connection', 'content-length'].includes(k))
          .map(([k, v]) => [k, String(v)]),
      ),
      ...(body.length > 0 ? { body } : {}),
    });
    let text = await up.text();
    const headers: Record<string, string> = {};
    up.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) headers[k] = v;
    });
    if (fault === 'truncate') text = text.slice(0, Math.floor(text.length / 2));
    if (fault === 'empty') text = '';
    if (fault === 'wrongCount') text = text.replace(/"count":\s*(\d+)/, (_, n: string) => `"count":${Number(n) + 1}`);
    if (fault === 'hangBody') {
      res.writeHead(up.status, { ...headers, 'content-length': String(text.length) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      return; // the rest never comes
    }
    res.writeHead(up.status, { ...headers, 'content-length': String(Buffer.byteLength(text)) }).end(text);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    setFaults(d) {
      decide = d;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A seeded choice per request (mulberry32), so a failing mix can be replayed. */
export function seededFaults(
  seed: number,
  table: Array<[Fault, number]>,
  only: (req: ProxiedRequest) => boolean = () => true,
): (req: ProxiedRequest) => Fault {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (req) => {
    if (!only(req)) return 'pass';
    let x = rand();
    for (const [fault, p] of table) {
      if (x < p) return fault;
      x -= p;
    }
    return 'pass';
  };
}

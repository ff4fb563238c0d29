import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId } from '../../../src/app/run-sync.js';
import { HTTP_LIMITS, isRunId, MAX_BODY, startHttp, type HttpDeps } from '../../../src/daemon/http.js';
import { Metrics } from '../../../src/daemon/metrics.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { RunView } from '../../../src/store/run-record.js';

// Attacks on a running daemon's HTTP server, each replayed against it.

const RUN_ID = 'hr-20261122-030000-abc123';
const TOKEN = { name: 'ana', token: 'ana-token-0123456789' };
const run = {
  runId: RUN_ID,
  profile: 'hr',
  status: 'succeeded',
  counts: {},
  failures: [],
  planned: {},
} as unknown as RunView;
/** Like the run store: a run id is appended to `run:`, so `<id>:plan` reads the plan's key. */
const keys: Record<string, unknown> = {
  [`run:${RUN_ID}`]: run,
  [`run:${RUN_ID}:plan`]: { id: 'plan-1', phases: [3], secretEmails: ['ana@example.com'] },
};
const asked: string[] = [];

async function start(over: Partial<HttpDeps> = {}): Promise<{ base: string; close: () => Promise<void> }> {
  const server = await startHttp({
    host: '127.0.0.1',
    port: 0,
    metrics: new Metrics(),
    log: silentLogger,
    ready: async () => ({ ok: true, checks: {} }),
    beforeScrape: async () => {},
    status: async () => [],
    run: async (_profile, runId) => {
      asked.push(runId);
      return keys[`run:${runId}`] as RunView | undefined;
    },
    ...over,
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A raw HTTP exchange: what the server answered before it closed the connection, and how long that took. */
function raw(base: string, parts: string[], everyMs = 0): Promise<{ text: string; ms: number; closed: boolean }> {
  const { port } = new URL(base);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(Number(port), '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    s.on('data', (c) => (text += c.toString()));
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(timer);
      resolve({ text, ms: Date.now() - t0, closed: true });
    });
    if (everyMs === 0) for (const p of parts) s.write(p);
    else {
      let i = 0;
      // Trickles the head one line at a time and never finishes it (a slowloris client).
      timer = setInterval(() => {
        if (!s.writable) return;
        s.write(parts[Math.min(i++, parts.length - 1)]!);
      }, everyMs);
    }
    setTimeout(() => {
      clearInterval(timer);
      s.destroy();
      resolve({ text, ms: Date.now() - t0, closed: false });
    }, 8000).unref();
  });
}

describe('run paths', () => {
  let d: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => (d = await start()));
  afterAll(() => d.close());

  it('accept only the run id shape: `<id>:plan` and `<id>:failures` are no run (404), and the store is never asked', async () => {
    expect((await fetch(`${d.base}/runs/hr/${RUN_ID}?format=json`)).status).toBe(200);
    asked.length = 0;
    for (const id of [
      `${RUN_ID}:plan`,
      `${RUN_ID}:failures`,
      `${RUN_ID}%3Aplan`,
      'hr-1',
      `x${RUN_ID}`,
      'other-20261122-030000-abc123',
    ]) {
      const res = await fetch(`${d.base}/runs/hr/${id}?format=json`);
      expect(res.status, id).toBe(404);
      expect(await res.text(), id).not.toContain('secretEmails');
    }
    expect(asked).toEqual([]);
  });

  it('a malformed % escape is 400, not 500', async () => {
    for (const path of [
      `/runs/hr/${RUN_ID}%`,
      `/runs/%E0%A4%A/${RUN_ID}`,
      `/runs/hr/%zz`,
      `/runs/hr/${RUN_ID}%ff/decision`,
    ]) {
      const res = await fetch(`${d.base}${path}`, { method: path.endsWith('decision') ? 'POST' : 'GET' });
      expect(res.status, path).toBe(400);
    }
  });

  it('the shape is the one newRunId makes', () => {
    for (const profile of ['hr', 'a-b', 'x.y_z']) expect(isRunId(profile, newRunId(profile))).toBe(true);
    expect(isRunId('hr', newRunId('hr-x'))).toBe(false);
    expect(isRunId('hr', `${newRunId('hr')}:plan`)).toBe(false);
  });
});

describe('the origin check and a proxy', () => {
  const signIn = (base: string, headers: Record<string, string>) =>
    fetch(`${base}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token: TOKEN.token, next: '/' }).toString(),
    });

  it('X-Forwarded-Host and X-Forwarded-Proto are not believed without daemon.http.trustProxy', async () => {
    const d = await start({ tokens: [TOKEN] });
    try {
      // A cross-site form that names its own host in X-Forwarded-Host.
      const forged = await signIn(d.base, { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' });
      expect(forged.status).toBe(403);
      const direct = await signIn(d.base, { origin: d.base, 'x-forwarded-proto': 'https' });
      expect(direct.status).toBe(303);
      expect(direct.headers.get('set-cookie')).not.toContain('Secure');
    } finally {
      await d.close();
    }
  });

  it('with trustProxy the proxy’s host and scheme count', async () => {
    const d = await start({ tokens: [TOKEN], trustProxy: true });
    try {
      const h = { origin: 'https://rs.example', 'x-forwarded-host': 'rs.example', 'x-forwarded-proto': 'https' };
      const res = await signIn(d.base, h);
      expect(res.status).toBe(303);
      expect(res.headers.get('set-cookie')).toContain('Secure');
      expect((await signIn(d.base, { ...h, origin: 'https://evil.example' })).status).toBe(403);
    } finally {
      await d.close();
    }
  });
});

describe('server limits', () => {
  it('are set explicitly', async () => {
    const server = await startHttp({
      host: '127.0.0.1',
      port: 0,
      metrics: new Metrics(),
      log: silentLogger,
      ready: async () => ({ ok: true, checks: {} }),
      beforeScrape: async () => {},
      status: async () => [],
      run: async () => undefined,
    });
    try {
      expect(server.headersTimeout).toBe(HTTP_LIMITS.headersTimeoutMs);
      expect(server.requestTimeout).toBe(HTTP_LIMITS.requestTimeoutMs);
      expect(server.keepAliveTimeout).toBe(HTTP_LIMITS.keepAliveTimeoutMs);
      expect(server.maxConnections).toBe(HTTP_LIMITS.maxConnections);
      expect(HTTP_LIMITS.headersTimeoutMs).toBeLessThanOrEqual(10_000);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('cut off a client that trickles its headers', async () => {
    const d = await start({ limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000, checkIntervalMs: 100 } });
    try {
      const r = await raw(d.base, ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n'], 100);
      expect(r.closed).toBe(true);
      expect(r.ms).toBeLessThan(3000);
      expect(r.text).not.toContain('200 OK');
    } finally {
      await d.close();
    }
  });

  it(`refuse a POST body over ${MAX_BODY} bytes with 413 (declared or streamed)`, async () => {
    const d = await start({ tokens: [TOKEN] });
    try {
      const big = `token=${'a'.repeat(MAX_BODY + 10)}`;
      const declared = await raw(d.base, [
        `POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big.length}\r\n\r\n`,
        big,
      ]);
      expect(declared.text).toMatch(/^HTTP\/1\.1 413 /);
      const chunked = await raw(d.base, [
        `POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`,
        `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
      ]);
      expect(chunked.text).toMatch(/^HTTP\/1\.1 413 /);
      const decision = await fetch(`${d.base}/runs/hr/${RUN_ID}/decision`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN.token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: big,
      }).catch((e: Error) => e);
      expect(decision instanceof Error ? decision.message : decision.status).toBe(413);
    } finally {
      await d.close();
    }
  });
});

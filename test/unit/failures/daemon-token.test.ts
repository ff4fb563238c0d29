import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttp } from '../../../src/daemon/http.js';
import { Metrics } from '../../../src/daemon/metrics.js';
import { silentLogger } from '../../../src/log/logger.js';

let server: Awaited<ReturnType<typeof startHttp>>;
let base: string;

beforeAll(async () => {
  server = await startHttp({
    host: '127.0.0.1',
    port: 0,
    tokens: [{ name: 'status-page', token: 'status-token-1' }],
    metrics: new Metrics(),
    log: silentLogger,
    ready: async () => ({ ok: true, checks: {} }),
    beforeScrape: async () => {},
    status: async () => [],
    run: async () => undefined,
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the daemon HTTP token', () => {
  it.each([
    ['Bearer status-token-1', 200],
    ['bearer status-token-1', 200],
    ['status-token-1', 401],
    ['Basic status-token-1', 401],
    ['Token status-token-1', 401],
    ['Bearer status-token-2', 401],
    ['Bearer', 401],
  ])('Authorization: %s -> %i', async (authorization, status) => {
    const res = await fetch(`${base}/readyz`, { headers: { authorization } });

    expect(res.status).toBe(status);
  });

  it('health stays open; no header is refused with a Bearer challenge', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

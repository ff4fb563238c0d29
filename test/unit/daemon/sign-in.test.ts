import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionToken, sessionValue } from '../../../src/daemon/credentials.js';
import { formToken } from '../../../src/daemon/csrf.js';
import { startHttp } from '../../../src/daemon/http.js';
import { Metrics } from '../../../src/daemon/metrics.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { RunView } from '../../../src/store/run-record.js';

// Named status-page tokens, and the sign-in form that lets a person open the pages in a browser:
// a cookie scripts cannot read and no other site's request carries.

const ANA = { name: 'ana', token: 'ana-token-0123456789' };
const CI = { name: 'ci-bot', token: 'ci-token-0123456789ab' };
const decisions: { runId: string; action: string; by: string }[] = [];
const pending = {
  runId: 'hr-20261122-030000-abc123',
  profile: 'hr',
  status: 'blocked',
  approval: { state: 'pending', expiresAt: '2099-01-01T00:00:00.000Z' },
  counts: {},
  failures: [],
  planned: {},
} as unknown as RunView;

let server: Awaited<ReturnType<typeof startHttp>>;
let base: string;

beforeAll(async () => {
  server = await startHttp({
    host: '127.0.0.1',
    port: 0,
    tokens: [ANA, CI],
    metrics: new Metrics(),
    log: silentLogger,
    ready: async () => ({ ok: true, checks: {} }),
    beforeScrape: async () => {},
    status: async () => [],
    run: async (_profile, runId) => (runId === 'hr-20261122-030000-abc123' ? pending : undefined),
    decide: async (_profile, runId, action, by) => {
      decisions.push({ runId, action, by });
      return 'queued';
    },
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...headers },
    body,
  });
async function signIn(token: string, next = '/'): Promise<Response> {
  return post('/signin', form({ token, next }));
}

describe('the status page sign-in', () => {
  it('sends a browser without credentials to the form, and other clients get the Bearer challenge', async () => {
    const page = await fetch(`${base}/runs/hr/hr-20261122-030000-abc123`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/signin?next=%2Fruns%2Fhr%2Fhr-20261122-030000-abc123');
    const api = await fetch(`${base}/readyz`);
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('Bearer');
    const formPage = await fetch(`${base}/signin?next=%2Fruns%2Fhr%2Fhr-20261122-030000-abc123`);
    expect(await formPage.text()).toMatch(
      /<form method="post" action="\/signin">.*name="next" value="\/runs\/hr\/hr-20261122-030000-abc123"/s,
    );
  });

  it('a right token sets an HttpOnly, SameSite=Strict cookie that opens the pages; a wrong one sets none', async () => {
    const wrong = await signIn('not-a-token-at-all-xx');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const res = await signIn(ANA.token, '/runs/hr/hr-20261122-030000-abc123');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/runs/hr/hr-20261122-030000-abc123');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^rostersync_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(cookie).not.toContain(ANA.token);

    const value = cookie.split(';')[0]!;
    expect((await fetch(`${base}/readyz`, { headers: { cookie: value } })).status).toBe(200);
    // A Bearer header that is wrong is refused even with a good cookie: one credential at a time.
    expect((await fetch(`${base}/readyz`, { headers: { cookie: value, authorization: 'Bearer nope' } })).status).toBe(
      401,
    );
  });

  it('refuses a sign-in posted from another site, and never redirects off this site', async () => {
    const cross = await post('/signin', form({ token: ANA.token }), { 'sec-fetch-site': 'cross-site' });
    expect(cross.status).toBe(403);
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example'])
      expect((await signIn(ANA.token, next)).headers.get('location')).toBe('/');
  });

  it('a decision made through the cookie records the token’s name; the form token is bound to that token', async () => {
    const cookie = (await signIn(CI.token)).headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${base}/runs/hr/hr-20261122-030000-abc123`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();

    // The form token of another caller's page does not pass.
    const foreign = formToken(ANA.token, 'hr', 'hr-20261122-030000-abc123');
    expect(
      (
        await post('/runs/hr/hr-20261122-030000-abc123/decision', form({ action: 'approve', csrf: foreign }), {
          cookie,
        })
      ).status,
    ).toBe(403);

    const res = await post('/runs/hr/hr-20261122-030000-abc123/decision', form({ action: 'approve', csrf: csrf! }), {
      cookie,
    });
    expect(res.status).toBe(303);
    expect(decisions).toEqual([{ runId: 'hr-20261122-030000-abc123', action: 'approve', by: 'ci-bot' }]);
  });

  it('a session expires, and dies with its token (rotating the secret signs everyone out)', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    const value = sessionValue(ANA, now);
    expect(sessionToken([ANA], value, now + 60_000)?.name).toBe('ana');
    expect(sessionToken([ANA], value, now + 13 * 3600_000)).toBeUndefined();
    expect(sessionToken([{ name: 'ana', token: 'rotated-token-0123456' }], value, now)).toBeUndefined();
    expect(sessionToken([ANA], value.replace(/\.[^.]+$/, '.forged'), now)).toBeUndefined();
  });
});

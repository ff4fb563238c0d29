import { readFileSync, writeFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { startDaemon } from '../../../src/daemon/daemon.js';
import { enqueueTick, SYNC_QUEUE, type SyncJobData } from '../../../src/daemon/scheduler.js';
import { silentLogger } from '../../../src/log/logger.js';
import { queuePrefix } from '../../../src/store/keys.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness } from '../../support/conformance/chartio.js';
import { parsePrometheus } from '../../support/prometheus.js';
import { startFakeGraph, type FakeGraphOptions } from '../../support/fake-graph/server.js';

const redisUrl = inject('redisUrl');
const tls = inject('tls');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function until<T>(f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a daemon whose source refuses the credentials', () => {
  it('says so once per profile on /readyz (still 200) and at the top of the status page, until a tick reads the source', async () => {
    const h = await createHarness(redisUrl);
    cleanup.push(() => h.close());
    h.writeDirectory(generateDirectory({ people: 10, groups: 2, memberships: 12, seed: 91 }));
    // The app's secret in Entra is not the one the daemon is given (until it is rotated below).
    const entra: FakeGraphOptions = {
      tenantId: 't1',
      clientId: 'c1',
      clientSecret: 'rotated-secret-77',
      cert: tls.cert,
      key: tls.key,
    };
    const graph = await startFakeGraph(entra);
    cleanup.push(() => graph.close());
    graph.dir.addUser({ id: 'u1', displayName: 'U1', mail: 'u1@corp.test', userPrincipalName: 'u1@corp.test' });
    graph.dir.addGroup('g1', 'rs-platform', ['u1']);
    const c = JSON.parse(readFileSync(h.configPath, 'utf8'));
    c.daemon = { http: { host: '127.0.0.1', port: 0 }, shutdownTimeoutMs: 2000 };
    c.profiles.push({
      name: 'sales',
      source: {
        kind: 'entra',
        tenantId: 't1',
        clientId: 'c1',
        clientSecret: '${ENTRA_SECRET}',
        authorityHost: graph.url,
        graphBaseUrl: graph.url,
        groups: { displayNamePrefix: 'rs-' },
        maxRetries: 0,
      },
      mapping: { rules: [{ match: '^rs-(.*)$', team: '$1' }] },
    });
    writeFileSync(h.configPath, JSON.stringify(c));
    vi.stubEnv('ENTRA_SECRET', 'the-old-secret-42');

    const d = await startDaemon(h.configPath, { log: silentLogger });
    cleanup.push(() => d.close());
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: { url: redisUrl }, prefix: queuePrefix(h.prefix) });
    cleanup.push(() => queue.close());
    const tick = async (profile: string, id: string) => {
      await enqueueTick(queue, { profile, mode: 'full', tick: 'manual' }, id, silentLogger);
      return until(async () => ((await queue.getJob(id))?.returnvalue as string | null) ?? undefined);
    };
    const readyz = async () => {
      const res = await fetch(`${d.url}/readyz`);
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const refusedLines = (html: string) => html.match(/<div class="refused-source" id="refused-[^"]+">/g) ?? [];

    expect(await tick('hr', 'hr.manual-1')).toBe('succeeded');
    expect(await tick('sales', 'sales.manual-1')).toBe('failed');
    expect(await tick('sales', 'sales.manual-2')).toBe('failed');

    const refused = await readyz();
    // Ready: the daemon works and the other profiles sync; the source's config is what needs fixing.
    expect(refused.status).toBe(200);
    expect(refused.body.status).toBe('ready');
    expect(refused.body.checks.sources).toBe('credentials refused: sales');
    expect(refused.body.profiles).toEqual({
      sales: expect.stringMatching(
        /^source credentials refused: entra: authentication failed for client c1 in tenant t1: AADSTS7000215: .*; fix the environment variable \$ENTRA_SECRET \(read by profiles\.sales\.source\.clientSecret\)$/,
      ),
    });
    expect(JSON.stringify(refused.body)).not.toContain('the-old-secret-42');

    const refusedGauge = async () =>
      parsePrometheus(await (await fetch(`${d.url}/metrics`)).text())
        .filter((m) => m.name === 'rostersync_source_credentials_refused')
        .map((m) => [m.labels.profile, m.value]);
    expect(await refusedGauge()).toEqual([
      ['hr', 0],
      ['sales', 1],
    ]);

    const page = await (await fetch(`${d.url}/`)).text();
    // One line for the profile, however many ticks failed, above the profiles' sections.
    expect(refusedLines(page)).toEqual(['<div class="refused-source" id="refused-sales">']);
    expect(page.indexOf('id="refused-sales"')).toBeLessThan(page.indexOf('<section id="profile-hr"'));
    expect(page).toMatch(
      /<b>sales<\/b>: source credentials refused: entra: authentication failed for client c1 .*fix the environment variable \$ENTRA_SECRET/,
    );

    // The secret is rotated in Entra to the one the daemon has: the next tick reads the source.
    entra.clientSecret = 'the-old-secret-42';
    expect(await tick('sales', 'sales.manual-3')).toBe('succeeded');
    const fixed = await readyz();
    expect(fixed.status).toBe(200);
    expect(fixed.body.checks.sources).toBe('ok');
    expect(fixed.body.profiles).toEqual({});
    expect(refusedLines(await (await fetch(`${d.url}/`)).text())).toEqual([]);
    expect(await refusedGauge()).toEqual([
      ['hr', 0],
      ['sales', 0],
    ]);
  });
});

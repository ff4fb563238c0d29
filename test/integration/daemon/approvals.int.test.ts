import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openRuntime, type Runtime } from '../../../src/app/runtime.js';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import { enqueueTick, SYNC_QUEUE, type SyncJobData } from '../../../src/daemon/scheduler.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Snapshot } from '../../../src/model/index.js';
import { queuePrefix } from '../../../src/store/keys.js';
import { expectedTeams } from '../../support/expected-state.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, SECRET, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { ROOT, runCli } from '../../support/target-harness.js';

const OUT = join(ROOT, 'test-output');
const TOKEN = 'daemon-token-3c9b7e21';
const HOOK_SECRET = 'T0001/B0001/hooksecret9f2';
const redisUrl = inject('redisUrl');

/** A webhook receiver: records every message it took; the JSON hook's first POST is answered 503 (a retry must deliver it). */
async function receiver(): Promise<{
  server: Server;
  url: string;
  got: { path: string; body: string }[];
  refused: number;
}> {
  const r = { got: [] as { path: string; body: string }[], refused: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/json' && r.refused === 0) {
        r.refused += 1;
        res.writeHead(503).end();
        return;
      }
      r.got.push({ path: req.url ?? '', body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(r, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

interface Setup {
  h: Harness;
  d: Daemon;
  rt: Runtime;
  queue: Queue<SyncJobData>;
  close(): Promise<void>;
}

async function setup(
  o: Parameters<typeof createHarness>[1],
  extra: Record<string, unknown>,
  directory: Snapshot,
): Promise<Setup> {
  const h = await createHarness(redisUrl, o);
  h.writeDirectory(directory);
  const config = JSON.parse(readFileSync(h.configPath, 'utf8'));
  config.daemon = {
    http: { host: '127.0.0.1', port: 0, token: TOKEN, tokenName: 'ops-oncall' },
    publicUrl: 'https://rostersync.example.test',
    shutdownTimeoutMs: 1000,
  };
  writeFileSync(h.configPath, JSON.stringify({ ...config, ...extra }));
  const d = await startDaemon(h.configPath, { log: silentLogger });
  const rt = await openRuntime(h.configPath, { log: silentLogger });
  const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(h.prefix) });
  return {
    h,
    d,
    rt,
    queue,
    close: async () => {
      await queue.close();
      await d.close();
      await rt.close();
      await h.close();
    },
  };
}

let ticks = 0;
/** A manual tick through the daemon's sync queue; resolves with how the sync job ended. */
async function tick(s: Setup): Promise<string> {
  const id = `hr.manual-${++ticks}`;
  await enqueueTick(s.queue, { profile: 'hr', mode: 'full', tick: 'manual' }, id, silentLogger);
  return until(async () => ((await s.queue.getJob(id))?.returnvalue as string | null) ?? undefined);
}

async function until<T>(f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== null) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const without = (s: Snapshot, n: number): Snapshot => ({ ...s, people: s.people.slice(n) });
const users = (s: Setup) =>
  s.h.emulator
    .dump()
    .users.map((u) => u.email)
    .sort();
const emails = (snap: Snapshot) => [...snap.people.map((p) => p.email), 'owner@example.com'].sort();

describe('blocked runs wait for a person', () => {
  it('approve applies exactly the stored plan, reject applies nothing, a stale approval is refused, one message per change of state', async () => {
    const hooks = await receiver();
    const day0 = generateDirectory({ people: 60, groups: 6, memberships: 90, seed: 41 });
    const s = await setup(
      { policy: { maxDeletes: 5, maxDeletePercent: 100, deprovision: 'delete-user' } },
      {
        notify: [
          { kind: 'slack', url: `${hooks.url}/slack/${HOOK_SECRET}` },
          { kind: 'json', url: `${hooks.url}/json`, attempts: 3 },
        ],
      },
      day0,
    );
    const page = await (
      await browser.newContext({
        viewport: { width: 1280, height: 900 },
        extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
      })
    ).newPage();
    try {
      // Day 0: the first sync, no message (nothing was wrong before).
      expect(await tick(s)).toBe('succeeded');
      expect(teamsState(s.h.emulator)).toEqual(expectedTeams(day0));

      // Day 1: ten people leave, over maxDeletes 5: blocked, waiting, nothing applied.
      const day1 = without(day0, 10);
      s.h.writeDirectory(day1);
      expect(await tick(s)).toBe('blocked');
      const run1 = (await s.rt.store.listRuns(1))[0]!;
      expect(run1).toMatchObject({
        status: 'blocked',
        blocked: { code: 'TOO_MANY_DELETES' },
        approval: { state: 'pending' },
      });
      expect(users(s)).toEqual(emails(day0));
      const plan1 = (await s.rt.store.plan(run1.runId))!;

      // The run page shows the plan, the rule and its numbers, and each deletion in words.
      await page.goto(`${s.d.url}/runs/hr/${run1.runId}`);
      expect(await page.locator('.safety').innerText()).toContain('TOO_MANY_DELETES: 10 deletions');
      const deletions = await page.locator('table.deletions tr td:first-child').allInnerTexts();
      expect(deletions.sort()).toEqual(
        day0.people
          .slice(0, 10)
          .map((p) => `delete user ${p.email}`)
          .sort(),
      );
      expect(await page.locator('table.ops tr', { hasText: 'deleteUser' }).locator('td').nth(1).innerText()).toBe('10');
      await page.screenshot({ path: join(OUT, 'run-page-blocked.png'), fullPage: true });
      await page.goto(s.d.url);
      expect(await page.locator('.pending-approval').innerText()).toContain(run1.runId);

      // The form is guarded: no token, a foreign origin, or no form token are all refused.
      const post = (headers: Record<string, string>, body: string) =>
        fetch(`${s.d.url}/runs/hr/${run1.runId}/decision`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body,
        });
      expect((await post({}, 'action=approve')).status).toBe(401);
      expect((await post({ authorization: `Bearer ${TOKEN}` }, 'action=approve&csrf=1.x')).status).toBe(403);
      expect(
        (
          await post(
            { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
            'action=approve',
          )
        ).status,
      ).toBe(403);
      expect(
        (await fetch(`${s.d.url}/runs/hr/${run1.runId}/decision`, { headers: { authorization: `Bearer ${TOKEN}` } }))
          .status,
      ).toBe(405);

      // Approve in the browser: exactly the stored ops are applied, recorded with who and when.
      await page.goto(`${s.d.url}/runs/hr/${run1.runId}`);
      await page.locator('button.approve').click();
      await page.waitForURL(/notice=approve/);
      const approved = await until(async () => {
        const r = await s.rt.store.getRun(run1.runId);
        return r?.status === 'succeeded' ? r : undefined;
      });
      expect(approved.approval).toMatchObject({ state: 'approved', by: 'ops-oncall' });
      expect(Date.parse(approved.approval!.at!)).toBeGreaterThan(Date.parse(run1.finishedAt!));
      const applied = await s.rt.redis.hkeys(s.rt.store.keys.run(run1.runId).outcomes);
      expect(applied.sort()).toEqual(
        plan1.phases
          .flat()
          .map((o) => o.key)
          .sort(),
      );
      expect(approved.counts['deleteUser.applied']).toBe(10);
      // The audit says who decided, then each change the decision applied.
      const audit1 = (await s.rt.store.audit.page(run1.runId, {}, 0, 100)).entries.map((x) => x.entry);
      expect(audit1[0]).toMatchObject({ action: 'run.approve', by: 'ops-oncall' });
      expect(audit1.filter((e) => e.action === 'user.delete')).toHaveLength(10);
      // The run page lists them in words; the GET form filters by person (the browser submits it).
      const leaver = day0.people[3]!.email;
      await page.goto(`${s.d.url}/runs/hr/${run1.runId}`);
      expect(await page.locator('#changes').innerText()).toMatch(/^Changes \(\d+\)$/);
      expect(await page.locator('ul.changes li', { hasText: 'run approved by ops-oncall' }).count()).toBe(1);
      await page.locator('form.filter input[name=person]').fill(leaver.toUpperCase());
      await page.locator('form.filter button').click();
      await page.waitForURL(/person=/);
      const rows = await page.locator('ul.changes li').allInnerTexts();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.startsWith(`${leaver}: `))).toBe(true);
      expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^${leaver.replace(/\./g, '\\.')}: deleted: `)));
      // "Why does this person (not) have access?": the status page's search explains them, history included.
      await page.goto(`${s.d.url}/`);
      await page.locator('form.person-search input[name=email]').fill(leaver);
      await page.locator('form.person-search button').click();
      await page.waitForURL(/\/people\?/);
      expect(await page.locator('h1').innerText()).toBe(`Explain ${leaver}`);
      const explained = await page.locator('body').innerText();
      expect(explained).toContain('Not in the directory');
      expect(explained).toMatch(new RegExp(`${run1.runId}[\\s\\S]*deleted`));
      expect(teamsState(s.h.emulator)).toEqual(expectedTeams(day1));
      expect(users(s)).toEqual(emails(day1));

      // Day 2: ten more leave: blocked; a tick while it waits plans, applies nothing, and says so.
      const day2 = without(day1, 10);
      s.h.writeDirectory(day2);
      expect(await tick(s)).toBe('blocked');
      const run2 = (await s.rt.store.listRuns(1))[0]!;
      expect(await tick(s)).toBe('waiting');
      expect((await s.rt.store.listRuns(1))[0]!.runId).toBe(run2.runId);
      expect((await s.rt.store.getRun(run2.runId))!.approval!.waitingTicks).toMatchObject({ count: 1, samePlan: true });

      // Rejected from a shell: nothing applied, who and when recorded; a second decision is refused.
      const rejected = await runCli(['reject', run2.runId, '--config', s.h.configPath]);
      expect(rejected.code, rejected.stderr).toBe(0);
      expect((await s.rt.store.getRun(run2.runId))!.approval).toMatchObject({
        state: 'rejected',
        by: expect.stringMatching(/^cli:/),
      });
      expect(users(s)).toEqual(emails(day1));
      expect((await s.rt.store.audit.page(run2.runId)).entries.map((x) => x.entry)).toEqual([
        expect.objectContaining({ action: 'run.reject', by: expect.stringMatching(/^cli:/) }),
      ]);
      expect((await runCli(['approve', run2.runId, '--config', s.h.configPath])).code).toBe(64);

      // Day 3 blocks again; then the people come back, so its plan is stale: approval is refused and a fresh plan is made (and, unblocked, applied).
      expect(await tick(s)).toBe('blocked');
      const run3 = (await s.rt.store.listRuns(1))[0]!;
      s.h.writeDirectory(day1);
      const stale = await runCli(['approve', run3.runId, '--config', s.h.configPath]);
      expect(stale.code, stale.stderr).toBe(2);
      expect(stale.stdout).toContain('Approval refused: the directory or the target changed');
      const after3 = (await s.rt.store.getRun(run3.runId))!;
      expect(after3.approval).toMatchObject({ state: 'stale', by: expect.stringMatching(/^cli:/) });
      const fresh = (await s.rt.store.getRun(after3.approval!.freshRunId!))!;
      expect(fresh).toMatchObject({ status: 'succeeded', totalOps: 0, trigger: 'approval-refresh' });
      expect(users(s)).toEqual(emails(day1));
      expect(teamsState(s.h.emulator)).toEqual(expectedTeams(day1));

      // One message per change of state on each webhook, each with a link to the run, none with a secret.
      await until(async () => (hooks.got.length >= 10 ? true : undefined));
      await new Promise((r) => setTimeout(r, 1000));
      const events = (path: string) => hooks.got.filter((m) => m.path.startsWith(path));
      const json = events('/json').map((m) => JSON.parse(m.body) as { event: string; runId: string; link: string });
      expect(json.map((e) => [e.event, e.runId])).toEqual([
        ['blocked', run1.runId],
        ['recovered', run1.runId],
        ['blocked', run2.runId],
        ['blocked', run3.runId],
        ['recovered', fresh.runId],
      ]);
      expect(json[0]!.link).toBe(`https://rostersync.example.test/runs/hr/${run1.runId}`);
      expect(hooks.refused).toBe(1);
      const slack = events('/slack').map((m) => JSON.parse(m.body) as { text: string });
      expect(slack).toHaveLength(5);
      expect(slack[0]!.text).toContain(
        `<https://rostersync.example.test/runs/hr/${run1.runId}|Open run ${run1.runId}>`,
      );
      for (const m of hooks.got)
        for (const secret of [SECRET, TOKEN, HOOK_SECRET]) expect(m.body).not.toContain(secret);
    } finally {
      await page.context().close();
      await s.close();
      hooks.server.close();
    }
  });

  it('a run with failures reads like the plan: in words, grouped by reason, long names clipped with the full text on hover, no sideways scroll at 1280 px; the history chart renders', async () => {
    const long =
      'Regional Customer Success and Operations Excellence Programme for Northern Hemisphere Strategic Accounts and Partner Enablement Working Group $1';
    const s = await setup(
      { mapping: { rules: [{ match: '^group-(\\d+)$', team: long }] }, queue: { attempts: 1 } },
      {},
      generateDirectory({ people: 30, groups: 4, memberships: 40, seed: 77 }),
    );
    const page = await (
      await browser.newContext({
        viewport: { width: 1280, height: 900 },
        extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
      })
    ).newPage();
    try {
      expect(await tick(s)).toBe('succeeded');
      // Twice the people, and a third of the calls answered 5xx with one attempt per op: some ops fail, their dependants are skipped.
      s.h.writeDirectory(generateDirectory({ people: 90, groups: 4, memberships: 140, seed: 78 }));
      s.h.emulator.setOptions({ errorRate: 0.3 });
      expect(await tick(s)).toBe('partial');
      s.h.emulator.setOptions({ errorRate: 0 });
      const run = (await s.rt.store.listRuns(1))[0]!;
      const keys = new Set((await s.rt.store.plan(run.runId))!.phases.flat().map((o) => o.key));

      await page.goto(`${s.d.url}/runs/hr/${run.runId}`);
      const groups = page.locator('.failure-group');
      expect(await groups.count()).toBeGreaterThanOrEqual(1);
      const counts = (await groups.locator('h3 .count').allInnerTexts()).map(Number);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(run.failures.length);
      expect(new Set(await groups.locator('h3').allInnerTexts()).size).toBe(counts.length); // one group per reason
      const ops = await groups.locator('li.op').allInnerTexts();
      expect(ops.length).toBeGreaterThan(0);
      for (const op of ops) {
        expect(keys.has(op)).toBe(false);
        expect(op).toMatch(/^(create team|create user|add|remove|delete user|delete team) /);
      }
      // A long team name is clipped on screen, whole in the title.
      const clipped = page.locator('li.op .clip', { hasText: 'Partner Enablement' }).first();
      expect(await clipped.getAttribute('title')).toBe(await clipped.innerText());
      expect(await clipped.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await page.screenshot({ path: join(OUT, 'run-page-failures.png'), fullPage: true });
      expect(statSync(join(OUT, 'run-page-failures.png')).size).toBeGreaterThan(5000);

      await page.goto(s.d.url);
      expect(await page.locator('svg.history g.run').count()).toBe(2);
      expect(await page.locator('svg.history rect.failed').count()).toBe(1);
      expect(await page.locator('svg.history rect.applied').count()).toBe(2);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await page.screenshot({ path: join(OUT, 'status-page-history.png'), fullPage: true });
      expect(statSync(join(OUT, 'status-page-history.png')).size).toBeGreaterThan(5000);
    } finally {
      await page.context().close();
      await s.close();
    }
  });
});

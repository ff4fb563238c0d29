import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { AuditEvent } from '../../../src/audit/audit-event.js';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import { expectAuditOfPlan } from '../../support/audit-check.js';
import { createTargetHarness, runCli, type TargetHarness } from '../../support/target-harness.js';

const SECRET = 'audit-test-api-secret-9c2d';
const BASIC = Buffer.from(`key:${SECRET}`).toString('base64');
const VICTIM = 'echo.victim@example.com';

const directory: Snapshot = {
  groups: [
    { sourceId: 'g1', name: 'Analysts', parentIds: [] },
    { sourceId: 'g2', name: 'Finance', parentIds: [] },
  ],
  people: [
    { sourceId: 'p1', email: 'f.li@example.com', displayName: 'F Li', enabled: true, groupIds: ['g1', 'g2'] },
    { sourceId: 'p2', email: 'a.berg@example.com', displayName: 'A Berg', enabled: true, groupIds: ['g1'] },
    { sourceId: 'p3', email: 'c.diaz@example.com', displayName: 'C Diaz', enabled: true, groupIds: ['g2'] },
    { sourceId: 'p4', email: VICTIM, displayName: 'Echo Victim', enabled: true, groupIds: ['g1'] },
  ],
  issues: [],
};

/**
 * A target that echoes the request's credential back in an error body (as some APIs do for a bad
 * request): in front of the emulator, it refuses the victim's account with the Authorization header
 * and the decoded secret in its answer.
 */
async function echoingProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      if (req.method === 'POST' && body.includes(VICTIM)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ message: `bad request; you sent ${req.headers.authorization} (key:${SECRET})` }),
        );
      }
      const up = await fetch(new URL(req.url ?? '/', upstream), {
        method: req.method ?? 'GET',
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
        ) as Record<string, string>,
        ...(body ? { body } : {}),
      });
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await up.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });

/** A webhook receiver that keeps every batch it was sent. */
async function receiver(): Promise<{
  url: string;
  batches: { schema: string; events: AuditEvent[] }[];
  close(): Promise<void>;
}> {
  const batches: { schema: string; events: AuditEvent[] }[] = [];
  const server = createServer((req, res) => {
    void read(req).then((b) => {
      batches.push(JSON.parse(b) as { schema: string; events: AuditEvent[] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`,
    batches,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('the audit stream of a run', () => {
  let h: TargetHarness<ChartioEmulator>;
  let proxy: Awaited<ReturnType<typeof echoingProxy>>;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let firstRun = '';

  beforeAll(async () => {
    const emulator = await createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: SECRET, rateLimit: false });
    proxy = await echoingProxy(emulator.url);
    hook = await receiver();
    h = createTargetHarness(inject('redisUrl'), 'audit', emulator, {
      target: {
        kind: 'chartio',
        baseUrl: `${proxy.url}/v1`,
        org: 'acme',
        apiKey: 'key',
        apiSecret: SECRET,
        rateLimit: { max: 100_000, duration: 1000, headroom: 1 },
      },
      mapping: { rules: [{ match: '^(.*)$', team: '$1' }] },
      queue: { attempts: 2 },
      extra: { audit: { file: { path: 'audit/audit.jsonl' }, webhook: { url: hook.url, batchSize: 3 } } },
    });
    h.writeDirectory(directory);
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
    await hook?.close();
  });

  it('holds each change once, the same on the file and the webhook, with the API answer scrubbed of the secret', async () => {
    const rt = await h.runtime();
    rt.startWorkers();
    const out = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    expect(out.status).toBe('partial');

    const stored = await expectAuditOfPlan(rt.store, out.runId, out.plan!);
    const events = stored.map((e, seq) => ({ ...e, id: `${out.runId}/${seq}` }));
    const fromFile = readFileSync(join(h.dir, 'audit/audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(fromFile.map(({ schema: _s, runId: _r, profile: _p, target: _t, type: _y, ...rest }) => rest)).toEqual(
      events,
    );
    expect(
      fromFile.every((e) => e.schema === 'rostersync.audit/1' && e.runId === out.runId && e.profile === 'hr'),
    ).toBe(true);
    expect(fromFile[0]!.target).toEqual({ name: 'default', kind: 'chartio' });

    // The webhook takes the same events, in batches of 3, sent apart from the run.
    for (let i = 0; i < 100 && hook.batches.flatMap((b) => b.events).length < events.length; i++) await sleep(50);
    expect(hook.batches.every((b) => b.schema === 'rostersync.audit/1' && b.events.length <= 3)).toBe(true);
    expect(hook.batches.flatMap((b) => b.events)).toEqual(fromFile);

    // f.li joins two teams; the victim's account (created in its team in one call) failed, both changes with it.
    const li = events.filter((e) => 'person' in e && e.person === 'f.li@example.com');
    expect(li.map((e) => e.action).sort()).toEqual(['membership.add', 'membership.add', 'user.create']);
    const victim = events.filter((e) => 'person' in e && e.person === VICTIM);
    expect(victim.map((e) => [e.action, 'outcome' in e && e.outcome])).toEqual([
      ['user.create', 'failed'],
      ['membership.add', 'failed'],
    ]);
    const failed = victim.find((e) => 'outcome' in e && e.outcome === 'failed')!;
    expect('detail' in failed && failed.detail).toMatch(/\[REDACTED\]/);

    // The secret (and its Basic form) is nowhere: not in the audit, the run's record, nor anywhere in Redis.
    const dump: string[] = [];
    for (const key of await rt.redis.keys(`${h.prefix}*`)) {
      const type = await rt.redis.type(key);
      if (type === 'string') dump.push((await rt.redis.get(key)) ?? '');
      else if (type === 'list') dump.push(...(await rt.redis.lrange(key, 0, -1)));
      else if (type === 'hash') dump.push(...Object.values(await rt.redis.hgetall(key)));
    }
    const everything = [
      dump.join('\n'),
      JSON.stringify(await rt.store.getRun(out.runId)),
      JSON.stringify(fromFile),
    ].join('\n');
    expect(everything).toContain('[REDACTED]');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(BASIC);

    firstRun = out.runId;

    // The next run tries the victim again: only its own changes are sent, none of the first run's twice.
    const again = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    const second = await expectAuditOfPlan(rt.store, again.runId, again.plan!);
    expect(second.map((e) => e.action)).toEqual(['user.create', 'membership.add']);
    const all = () => hook.batches.flatMap((b) => b.events);
    for (let i = 0; i < 100 && all().length < events.length + second.length; i++) await sleep(50);
    await sleep(100);
    expect(all().map((e) => e.id)).toEqual([...events.map((e) => e.id), `${again.runId}/0`, `${again.runId}/1`]);
  });

  it('status --run lists the changes in words, filtered by person and kind, and as JSON Lines', async () => {
    const rt = await h.runtime();
    const run = await rt.store.getRun(firstRun);
    const words = await runCli([
      'status',
      '--config',
      h.configPath,
      '--run',
      run!.runId,
      '--person',
      'F.Li@example.com',
    ]);
    expect(words.code, words.stderr).toBe(0);
    expect(words.stdout).toMatch(/Changes \(3 of \d+, person F\.Li@example\.com\)/);
    expect(words.stdout).toMatch(/f\.li@example\.com: joins "Finance": directory puts f\.li@example\.com in "Finance"/);
    const kind = await runCli(['status', '--config', h.configPath, '--run', run!.runId, '--kind', 'user', '--jsonl']);
    expect(kind.code, kind.stderr).toBe(0);
    const lines = kind.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(lines.map((e) => e.action)).toEqual(Array(4).fill('user.create'));
    expect(lines.every((e) => e.schema === 'rostersync.audit/1' && e.id.startsWith(`${run!.runId}/`))).toBe(true);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { withProfileLock } from '../../../src/app/profile-lock.js';
import { openRuntime } from '../../../src/app/runtime.js';
import { formToken } from '../../../src/daemon/csrf.js';
import { startDaemon } from '../../../src/daemon/daemon.js';
import { enqueueTick, SYNC_QUEUE, type SyncJobData } from '../../../src/daemon/scheduler.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Snapshot } from '../../../src/model/index.js';
import { queuePrefix } from '../../../src/store/keys.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness } from '../../support/conformance/chartio.js';
import { runCli } from '../../support/target-harness.js';

// "Four concurrent decision POSTs: one is applied, all four are told they succeeded." Replayed on a
// running daemon: the decision is a compare-and-set in Redis, so one POST wins and the others get 409.

const TOKEN = 'daemon-token-3c9b7e21';
const redisUrl = inject('redisUrl');
const without = (s: Snapshot, n: number): Snapshot => ({ ...s, people: s.people.slice(n) });

async function until<T>(f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== null) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('concurrent decisions on one blocked run', () => {
  it('one POST wins and is logged; the others get 409 with who won; a CLI decision that loses exits 64', async () => {
    const day0 = generateDirectory({ people: 40, groups: 4, memberships: 60, seed: 7 });
    const h = await createHarness(redisUrl, {
      policy: { maxDeletes: 5, maxDeletePercent: 100, deprovision: 'delete-user' },
    });
    h.writeDirectory(day0);
    const config = JSON.parse(readFileSync(h.configPath, 'utf8'));
    config.daemon = {
      http: { host: '127.0.0.1', port: 0, token: TOKEN, tokenName: 'ops-oncall' },
      shutdownTimeoutMs: 1000,
    };
    writeFileSync(h.configPath, JSON.stringify(config));
    const lines: { msg: string; action?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const d = await startDaemon(h.configPath, { log });
    const rt = await openRuntime(h.configPath, { log: silentLogger });
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(h.prefix) });
    let ticks = 0;
    const tick = async () => {
      const id = `hr.manual-race-${++ticks}`;
      await enqueueTick(queue, { profile: 'hr', mode: 'full', tick: 'manual' }, id, silentLogger);
      return until(async () => ((await queue.getJob(id))?.returnvalue as string | null) ?? undefined);
    };
    try {
      expect(await tick()).toBe('succeeded');
      h.writeDirectory(without(day0, 10));
      expect(await tick()).toBe('blocked');
      const run = (await rt.store.listRuns(1))[0]!;
      expect(run.approval?.state).toBe('pending');

      const postFor = (runId: string, action: string) =>
        fetch(`${d.url}/runs/hr/${runId}/decision`, {
          method: 'POST',
          redirect: 'manual',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ action, csrf: formToken(TOKEN, 'hr', runId) }).toString(),
        });
      const post = (action: string) => postFor(run.runId, action);
      const answers = await Promise.all(['approve', 'reject', 'approve', 'reject'].map(post));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([303, 409, 409, 409]);
      const winner = answers.findIndex((a) => a.status === 303);
      const action = winner % 2 === 0 ? 'approve' : 'reject';
      for (const a of answers.filter((x) => x.status === 409)) {
        const text = await a.text();
        expect(text).toMatch(
          new RegExp(`^run ${run.runId} already has a decision: ${action} by ops-oncall at \\S+\\n$`),
        );
      }
      expect(lines.filter((l) => l.msg === 'decision received from the status page')).toMatchObject([{ action }]);

      // The winner is carried out, once: the run ends approved or rejected.
      const decided = await until(async () => {
        const r = await rt.store.getRun(run.runId);
        return r?.approval?.state !== 'pending' && r?.status !== 'running' ? r : undefined;
      });
      expect(decided.approval).toMatchObject({
        state: action === 'approve' ? 'approved' : 'rejected',
        by: 'ops-oncall',
      });
      expect(
        lines.filter(
          (l) => l.msg === 'blocked run rejected: nothing applied' || l.msg.startsWith('blocked run approved'),
        ),
      ).toHaveLength(1);
      // A decided run takes no other decision: 409.
      expect((await post('reject')).status).toBe(409);

      // A claimed decision its worker could not carry out (the profile was busy) is given back:
      // the next click decides.
      h.writeDirectory(without(day0, 20));
      expect(await tick()).toBe('blocked');
      const run1 = (await rt.store.listRuns(1))[0]!;
      expect(run1.runId).not.toBe(run.runId);
      const claimKey = rt.store.keys.run(run1.runId).decision;
      await withProfileLock(rt.store, 'test-holds-the-profile', async () => {
        expect((await postFor(run1.runId, 'approve')).status).toBe(303);
        expect(await rt.redis.get(claimKey)).toContain('"approve"');
        await until(async () => ((await rt.redis.exists(claimKey)) === 0 ? true : undefined));
      });
      expect((await rt.store.getRun(run1.runId))?.approval?.state).toBe('pending');
      expect((await postFor(run1.runId, 'reject')).status).toBe(303);
      await until(async () => ((await rt.store.getRun(run1.runId))?.approval?.state === 'rejected' ? true : undefined));

      // The CLI loses to a decision claimed first (the page's, in flight to a worker): exit 64, naming it.
      expect(await tick()).toBe('blocked');
      const run2 = (await rt.store.listRuns(1))[0]!;
      expect(run2.runId).not.toBe(run1.runId);
      const claimed = await rt.store.claimDecision(run2.runId, {
        id: 'page0claim',
        action: 'approve',
        by: 'ana',
        at: new Date().toISOString(),
      });
      expect(claimed).toEqual({ result: 'won' });
      const cli = await runCli(['reject', run2.runId, '--config', h.configPath]);
      expect(cli.code).toBe(64);
      expect(cli.stderr).toContain(`run ${run2.runId} already has a decision: approve by ana`);
      expect((await rt.store.getRun(run2.runId))?.approval?.state).toBe('pending');
      // A claim given back (its decision was not carried out) lets the next decision through.
      await rt.store.releaseDecision(run2.runId, 'page0claim');
      expect((await runCli(['reject', run2.runId, '--config', h.configPath])).code).toBe(0);
      expect((await rt.store.getRun(run2.runId))?.approval).toMatchObject({ state: 'rejected' });
    } finally {
      await queue.close();
      await d.close();
      await rt.close();
      await h.close();
    }
  });
});

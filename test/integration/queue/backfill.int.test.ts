import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { churn, generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { expectedTeams, minimalWrites } from '../../support/expected-state.js';
import { writesOf } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const appliedWrites = (h: Harness) => h.emulator.requestLog.filter((r) => r.method !== 'GET' && r.applied).length;
const writeCalls = (h: Harness) => writesOf(h.emulator).length;

describe('backfill through the queue', () => {
  it('reaches exactly the desired state with the minimum writes, and a second run writes nothing', async () => {
    h = await createHarness(redisUrl);
    const dir = generateDirectory({ people: 300, groups: 40, memberships: 700, nestingDepth: 2, seed: 1 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(first.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));
    expect(first.plan!.phases.flat()).toHaveLength(minimalWrites(dir));
    expect(writeCalls(h)).toBe(minimalWrites(dir));
    expect(first.run.counts['createUser.applied']).toBe(
      dir.people.filter((p) => p.enabled && p.groupIds.length > 0).length,
    );

    const before = writeCalls(h);
    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.status).toBe('succeeded');
    expect(second.plan!.phases.flat()).toHaveLength(0);
    expect(writeCalls(h)).toBe(before);
  });

  it('churn (hires, leavers, moves, an email changed) with emailChange keep reaches the desired state with minimal writes and never re-creates a linked user', async () => {
    // recreate (the default) is covered by day2.int.test.ts; keep is the behaviour asserted here.
    h = await createHarness(redisUrl, { policy: { emailChange: 'keep' } });
    const dir = generateDirectory({ people: 200, groups: 20, memberships: 400, seed: 2 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();
    await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const idsBefore = new Map(h.emulator.dump().users.map((u) => [u.email, u.id]));

    const next = churn(dir, { share: 0.05, seed: 3 });
    const renamed = next.people[0]!;
    const oldEmail = dir.people.find((p) => p.sourceId === renamed.sourceId)!.email;
    h.writeDirectory(next);
    const log0 = h.emulator.requestLog.length;
    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(out.status).toBe('succeeded');

    // The renamed person is the same user (linked by directory id): with keep, the old address stays.
    const expected = expectedTeams({
      ...next,
      people: next.people.map((p) => (p === renamed ? { ...p, email: oldEmail } : p)),
    });
    const actual = teamsState(h.emulator);
    // Leavers keep one (unmanaged-by-policy) team when all theirs are managed: Chartio refuses zero teams.
    const leaverEmails = new Set(
      dir.people.filter((p) => !next.people.some((q) => q.sourceId === p.sourceId)).map((p) => p.email),
    );
    for (const [team, members] of Object.entries(actual)) actual[team] = members.filter((m) => !leaverEmails.has(m));
    expect(actual).toEqual(expected);
    expect(h.emulator.dump().users.find((u) => u.email === oldEmail)?.id).toBe(idsBefore.get(oldEmail));
    const churnLog = h.emulator.requestLog.slice(log0);
    expect(churnLog.filter((r) => r.method === 'DELETE' && /^\/v1\/acme\/users\/[^/]+\/?$/.test(r.path))).toEqual([]);
    expect(churnLog.filter((r) => r.method !== 'GET')).toHaveLength(out.plan!.phases.flat().length);
    expect(out.plan!.warnings.join('\n')).toContain(
      `email changed: ${oldEmail} -> ${renamed.email}: policy.emailChange is keep`,
    );
  });

  it('with 5% 5xx, 2% applied-but-5xx, 1% resets and a 429 storm, the final state is exact and nothing is applied twice', async () => {
    h = await createHarness(redisUrl, {
      emulator: {
        errorRate: 0.05,
        appliedButErrorRate: 0.02,
        resetRate: 0.01,
        seed: 11,
        rateLimit: { max: 60, windowMs: 1000 },
      },
    });
    const dir = generateDirectory({ people: 250, groups: 30, memberships: 500, seed: 4 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(out.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));
    const stats = h.emulator.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.injected5xx).toBeGreaterThan(0);
    expect(stats.appliedThen5xx).toBeGreaterThan(0);
    expect(stats.resets).toBeGreaterThan(0);
    // Each op changed the org once: applied writes equal the plan's ops exactly.
    expect(appliedWrites(h)).toBe(minimalWrites(dir));
    const failed = Object.entries(out.run.counts).filter(([k]) => k.endsWith('.failed'));
    expect(failed).toEqual([]);
  });

  it('a failed op fails only the ops that depend on it', async () => {
    h = await createHarness(redisUrl, { queue: { attempts: 1 } });
    const dir = generateDirectory({ people: 20, groups: 3, memberships: 40, seed: 5 });
    h.writeDirectory(dir);
    // One team creation fails for real (403 past the emulator's team cap), with no retries.
    h.emulator.setOptions({ maxTeams: 3 }); // Owners + 2 of the 3 teams
    const rt = await h.runtime();
    rt.startWorkers();
    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(out.status).toBe('partial');
    expect(out.exitCode).toBe(1);
    expect(out.run.counts['createTeam.failed']).toBe(1);
    expect(out.run.counts['createTeam.applied']).toBe(2);
    const skipped = Object.entries(out.run.counts)
      .filter(([k]) => k.endsWith('.skipped-dependency'))
      .reduce((n, [, v]) => n + v, 0);
    expect(skipped).toBeGreaterThan(0);
    expect(out.run.failures[0]!.reason).toMatch(/403/);
    // Everything not depending on the failed team was applied.
    const applied = Object.entries(out.run.counts)
      .filter(([k]) => k.endsWith('.applied'))
      .reduce((n, [, v]) => n + v, 0);
    expect(applied + skipped + 1).toBe(out.plan!.phases.flat().length);
  });
});

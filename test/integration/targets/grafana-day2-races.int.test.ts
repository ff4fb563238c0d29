import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { Snapshot } from '../../../src/model/index.js';
import { churn, generateDirectory } from '../../support/synthetic-directory.js';
import type { NormalState } from '../../support/conformance/adapter.js';
import {
  adapter,
  createGrafanaHarness,
  expectedOrgState,
  orgState,
  type GrafanaHarness,
  type OrgState,
} from '../../support/conformance/grafana.js';

// Whole-team writes (Grafana 11.1+ PUT /api/teams/:id/members) run in the same phase window as the
// user deletes and org removals of a day of churn: the list must never name a user the run deletes
// or takes out of the org, nor a new user before their account exists.

const redisUrl = inject('redisUrl');
let h: GrafanaHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A day of churn with deletes: leavers, hires and movers, an email change, a group deleted, renamed and added. */
function dayTwo(dir: Snapshot, seed: number, share: number): Snapshot {
  const moved = churn(dir, { share, seed });
  return {
    people: moved.people.map((p, i) => ({
      ...p,
      groupIds: [...p.groupIds.filter((g) => g !== 'g3'), ...(i % 17 === 0 ? ['g-new'] : [])],
    })),
    groups: [
      ...moved.groups
        .filter((g) => g.sourceId !== 'g3')
        .map((g) => ({
          ...g,
          name: g.sourceId === 'g4' ? 'group-104' : g.name,
          parentIds: g.parentIds.filter((x) => x !== 'g3'),
        })),
      { sourceId: 'g-new', name: 'group-20', parentIds: [] },
    ],
    issues: [],
  };
}

/** Hand-made drift in Grafana: a stranger added to a managed team, a member taken out of another. */
function driftByHand(h: GrafanaHarness): void {
  const org = h.emulator.dump().orgs[0]!;
  const stranger = h.emulator.api.createUser({ login: 'stranger@example.com', email: 'stranger@example.com' });
  const [a, b] = org.teams.filter((t) => t.members.length > 1);
  h.emulator.api.addTeamMember(a!.id, stranger.id);
  const gone = b!.members.find((m) => !h!.emulator.dump().users.find((u) => u.id === m.userId)?.isAdmin)!;
  h.emulator.state.teams.get(b!.id)!.members.delete(gone.userId);
}

/**
 * `share` of the people churn. A small day changes fewer teams than the queue's lookahead, so the
 * deletes of phase 5 are fed while phase 3's whole-team writes are still in flight.
 */
async function dayOneThenTwo(seed: number, share: number, faults: Record<string, unknown>) {
  h = await createGrafanaHarness(redisUrl, {
    emulator: { version: '11.3.0', seed },
    target: { createUsers: true },
    policy: { deprovision: 'delete-user', maxDeletes: 1000, maxDeletePercent: 100 },
  });
  const dir = generateDirectory({ people: 300, groups: 20, memberships: 600, nestingDepth: 2, seed });
  h.writeDirectory(dir);
  const rt = await h.runtime();
  rt.startWorkers();
  expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).status).toBe('succeeded');
  expect(orgState(h.emulator)).toEqual(expectedOrgState(dir));

  const next = dayTwo(dir, seed + 100, share);
  h.writeDirectory(next);
  driftByHand(h);
  const before = orgState(h.emulator);
  // Latency keeps the last whole-team writes in flight while the deletes of the next phase start.
  h.emulator.setOptions({ latencyMs: [20, 80], ...faults });
  const writesBefore = h.emulator.requestLog.filter((r) => r.method !== 'GET').length;
  const day2 = await runSync(rt, { mode: 'full', trigger: 'backfill' });
  h.emulator.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0, latencyMs: 0 });
  const want = expectedOrgState(next);
  want.teams['team-3'] = []; // the deleted group's team stays, emptied
  const sent = h.emulator.requestLog.filter((r) => r.method !== 'GET' && r.status !== 429).length - writesBefore;
  return { rt, day2, want, sent, minimum: minimumWrites(before, want) };
}

const normal = (s: OrgState): NormalState => ({
  users: Object.fromEntries(Object.entries(s.roles).map(([e, r]) => [e, [r]])),
  containers: s.teams,
});

/**
 * The conformance adapter's minimum (a changed team: one PUT; a changed role: one PATCH; a user
 * gone: one DELETE; a new user: counted once as a role change), plus the second call a user
 * created with createUsers needs when their role is not the Viewer Grafana assigns.
 */
function minimumWrites(before: OrgState, after: OrgState): number {
  const created = Object.entries(after.roles).filter(([e, r]) => !(e in before.roles) && r !== 'Viewer').length;
  return adapter.minimumWrites(normal(before), normal(after), { renamed: ['team-4', 'team-104'] }) + created;
}

describe('Grafana day two: whole-team writes beside user deletes', () => {
  for (const seed of [3, 11])
    it(`ends exact with no faults (seed ${seed}); the next run writes nothing`, { timeout: 120_000 }, async () => {
      const { rt, day2, want, sent, minimum } = await dayOneThenTwo(seed, 0.04, {});

      expect(day2.run.failures).toEqual([]);
      expect(day2.status).toBe('succeeded');
      expect(orgState(h!.emulator)).toEqual(want);
      expect(sent).toBeGreaterThanOrEqual(minimum);
      expect(sent).toBeLessThanOrEqual(Math.floor(minimum * 1.05));
      expect(day2.plan!.counts.deleteUser).toBeGreaterThan(0);
      expect(day2.plan!.counts.setMembers).toBeGreaterThan(0);
      // No whole-team write was refused for naming a missing user.
      const refused = h!.emulator.requestLog.filter((r) => r.method === 'PUT' && r.status === 404);
      expect(refused).toEqual([]);

      const third = await runSync(rt, { mode: 'full', trigger: 'backfill' });
      expect(third.plan!.phases.flat()).toEqual([]);
    });

  // Before whole-team lists left out the users the run deletes, each of these failed 1-5 PUTs with 404.
  for (const seed of [41, 43])
    it(`ends exact with 5xx, applied-then-5xx and resets (seed ${seed})`, { timeout: 120_000 }, async () => {
      const { day2, want, sent, minimum } = await dayOneThenTwo(seed, 0.1, {
        errorRate: 0.03,
        appliedButErrorRate: 0.01,
        resetRate: 0.01,
      });

      expect(day2.run.failures).toEqual([]);
      expect(day2.status).toBe('succeeded');
      expect(orgState(h!.emulator)).toEqual(want);
      // Retries of refused and unanswered writes included.
      expect(sent).toBeLessThanOrEqual(Math.floor(minimum * 1.1));
    });
});

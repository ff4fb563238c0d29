import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { Snapshot } from '../../../src/model/index.js';
import { churn, generateDirectory } from '../../support/synthetic-directory.js';
import {
  createGrafanaHarness,
  expectedOrgState,
  orgState,
  type GrafanaHarness,
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
  // Latency keeps the last whole-team writes in flight while the deletes of the next phase start.
  h.emulator.setOptions({ latencyMs: [20, 80], ...faults });
  const writesBefore = h.emulator.requestLog.filter((r) => r.method !== 'GET').length;
  const day2 = await runSync(rt, { mode: 'full', trigger: 'backfill' });
  h.emulator.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0, latencyMs: 0 });
  return { rt, day2, next, writesBefore };
}

describe('Grafana day two: whole-team writes beside user deletes', () => {
  for (const seed of [3, 11])
    it(`ends exact with no faults (seed ${seed}); the next run writes nothing`, { timeout: 120_000 }, async () => {
      const { rt, day2, next } = await dayOneThenTwo(seed, 0.04, {});

      expect(day2.run.failures).toEqual([]);
      expect(day2.status).toBe('succeeded');
      const want = expectedOrgState(next);
      want.teams['team-3'] = []; // the deleted group's team stays, emptied
      expect(orgState(h!.emulator)).toEqual(want);
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
      const { day2, next } = await dayOneThenTwo(seed, 0.1, {
        errorRate: 0.03,
        appliedButErrorRate: 0.01,
        resetRate: 0.01,
      });

      expect(day2.run.failures).toEqual([]);
      expect(day2.status).toBe('succeeded');
      const want = expectedOrgState(next);
      want.teams['team-3'] = [];
      expect(orgState(h!.emulator)).toEqual(want);
    });
});

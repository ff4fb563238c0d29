import { describe, expect, it } from 'vitest';
import { mapDirectory } from '../../../src/mapping/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import type { Actual, Desired, Snapshot } from '../../../src/model/index.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';
import { scaleDirectory, scaleMapping, scalePolicy } from '../../support/scale-scenario.js';

/** The org after a sync of `desired`: one user per person, one team per desired team, links as the store keeps them. */
function synced(desired: Desired): {
  actual: Actual;
  links: {
    users: Map<string, string>;
    teams: Map<string, string>;
    granted: Set<string>;
    teamGroups: Map<string, string>;
  };
} {
  const teams = new Map(
    desired.teams.map((t) => [
      t.name,
      {
        id: `t-${t.name}`,
        name: t.name,
        memberIds: [] as string[],
        ...(t.name === 'Owners' ? { keepsMember: true } : {}),
      },
    ]),
  );
  const users = desired.people.map((p) => {
    for (const t of p.teams) teams.get(t)!.memberIds.push(`u-${p.email}`);
    return { id: `u-${p.email}`, email: p.email, displayName: p.displayName, teamIds: p.teams.map((t) => `t-${t}`) };
  });
  return {
    actual: { users, teams: [...teams.values()] },
    links: {
      users: new Map(desired.people.map((p) => [p.sourceId, `u-${p.email}`])),
      teams: new Map(desired.teams.map((t) => [t.key, `t-${t.name}`])),
      granted: new Set(),
      teamGroups: new Map(desired.teams.flatMap((t) => (t.group ? [[t.key, t.group] as [string, string]] : []))),
    },
  };
}

function withoutGroups(s: Snapshot, ids: Set<string>): Snapshot {
  return {
    people: s.people.map((p) => ({ ...p, groupIds: p.groupIds.filter((g) => !ids.has(g)) })),
    groups: s.groups
      .filter((g) => !ids.has(g.sourceId))
      .map((g) => ({ ...g, parentIds: g.parentIds.filter((x) => !ids.has(x)) })),
    issues: [],
  };
}

describe('deleted groups at 10,000 people', () => {
  it('their teams lose every membership but those the target must keep (a user keeps one team)', () => {
    const { snapshot, desired } = scaleDirectory();
    const { actual, links } = synced(desired);
    const deleted = new Set(['g1', 'g2', 'g3', 'g4', 'g5']);
    const gone = new Set(['t-team-1', 't-team-2', 't-team-3', 't-team-4', 't-team-5']);
    const stale = actual.teams.filter((t) => gone.has(t.id)).reduce((n, t) => n + t.memberIds.length, 0);

    const next = mapDirectory(withoutGroups(snapshot, deleted), scaleMapping);
    const { plan } = makePlan({
      desired: next,
      actual,
      links,
      policy: scalePolicy,
      capabilities: CHARTIO_CAPABILITIES,
      tombstones: new Map(),
      now: 0,
      readCalls: 0,
      ratePerSecond: 15.8,
    });

    const removed = plan.phases.flat().filter((o) => o.kind === 'removeMember' && gone.has(o.team.id)).length;
    // People whose only teams were the deleted groups' leave the directory's scope: the target keeps them on one team.
    const inScope = new Set(next.people.map((p) => `u-${p.email}`));
    const keptOnOne = actual.users.filter((u) => !inScope.has(u.id) && u.teamIds.every((t) => gone.has(t))).length;
    expect(stale).toBeGreaterThan(200);
    expect(removed).toBe(stale - keptOnOne);
    expect(plan.warnings.filter((w) => / is gone: team "team-\d" emptied/.test(w))).toHaveLength(5);
    expect(plan.warnings).toContainEqual(expect.stringMatching(/^group "group-1" is gone: team "team-1" emptied/));
    expect(plan.blocked).toBeUndefined();
  });
});

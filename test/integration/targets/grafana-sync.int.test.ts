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
import { writesOf } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: GrafanaHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const writes = (h: GrafanaHarness) => writesOf(h.emulator);
const appliedWrites = (h: GrafanaHarness) => writes(h).filter((r) => r.applied).length;
/** 2,000 people in 80 groups nested two deep: the issue's scenario. */
const bigDirectory = () => generateDirectory({ people: 2000, groups: 80, memberships: 4000, nestingDepth: 2, seed: 7 });

/** The fewest writes from an org where everyone already signed in as a Viewer. */
function minimumWrites(dir: Snapshot, wholeTeam: boolean): number {
  const want = expectedOrgState(dir);
  const teams = Object.values(want.teams);
  const roleChanges = Object.values(want.roles).filter((r) => r !== 'Viewer').length;
  const memberships = wholeTeam ? teams.filter((m) => m.length > 0).length : teams.reduce((n, m) => n + m.length, 0);
  return teams.length + roleChanges + memberships;
}

/** A new org with an Admin service-account token of its own (teams in an org need its token). */
function withOrgToken(h: GrafanaHarness, name: string, token: string): number {
  const org = h.emulator.api.createOrg(name);
  h.emulator.setOptions({ tokens: [...h.emulator.options.tokens, { token, orgId: org.id, role: 'Admin' }] });
  return org.id;
}

function signInEveryone(h: GrafanaHarness, dir: Snapshot): void {
  h.signIn(Object.keys(expectedOrgState(dir).roles).map((email) => ({ email, displayName: email })));
}

describe('Grafana end to end (CSV -> queue -> emulator over HTTP)', () => {
  for (const [version, wholeTeam] of [
    ['11.3.0', true],
    ['10.4.0', false],
  ] as const) {
    it(
      `backfills 2,000 people / 80 nested groups into teams and roles with the minimum writes for ${version}, then writes nothing`,
      { timeout: 180_000 },
      async () => {
        h = await createGrafanaHarness(redisUrl, { emulator: { version } });
        const dir = bigDirectory();
        h.writeDirectory(dir);
        signInEveryone(h, dir);
        const rt = await h.runtime();
        rt.startWorkers();

        const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });

        expect(first.status).toBe('succeeded');
        expect(orgState(h.emulator)).toEqual(expectedOrgState(dir));
        expect(writes(h)).toHaveLength(minimumWrites(dir, wholeTeam));
        expect(first.plan!.counts.setMembers > 0).toBe(wholeTeam);
        expect(first.plan!.counts.setRole).toBeGreaterThan(0);

        const before = writes(h).length;
        const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
        expect(second.plan!.phases.flat()).toHaveLength(0);
        expect(writes(h)).toHaveLength(before);
      },
    );
  }

  it(
    'a day of 5% churn (leavers, hires, movers, a role change, an email change, a renamed and a deleted group) ends exact; the next run writes nothing',
    { timeout: 180_000 },
    async () => {
      h = await createGrafanaHarness(redisUrl, { emulator: { version: '11.3.0' } });
      const dir = bigDirectory();
      h.writeDirectory(dir);
      signInEveryone(h, dir);
      const rt = await h.runtime();
      rt.startWorkers();
      await runSync(rt, { mode: 'full', trigger: 'backfill' });
      const teamIds = new Map(h.emulator.dump().orgs[0]!.teams.map((t) => [t.name, t.id]));

      const moved = churn(dir, { share: 0.05, seed: 17 });
      const promoted = moved.people[5]!;
      const next: Snapshot = {
        people: moved.people.map((p) => ({
          ...p,
          // g7 is deleted; the promoted person joins g0, whose members are Admins.
          groupIds: [...p.groupIds.filter((g) => g !== 'g7'), ...(p === promoted ? ['g0'] : [])],
        })),
        groups: moved.groups
          .filter((g) => g.sourceId !== 'g7')
          .map((g) => ({
            ...g,
            name: g.sourceId === 'g5' ? 'group-105' : g.name,
            parentIds: g.parentIds.filter((x) => x !== 'g7'),
          })),
        issues: [],
      };
      h.writeDirectory(next);
      signInEveryone(h, next);

      const day2 = await runSync(rt, { mode: 'full', trigger: 'backfill' });

      expect(day2.status).toBe('succeeded');
      const want = expectedOrgState(next);
      // The deleted group's team stays, emptied; the renamed group's team is the same team, renamed.
      want.teams['team-7'] = [];
      const got = orgState(h.emulator);
      expect(got).toEqual(want);
      expect(got.roles[promoted.email]).toBe('Admin');
      expect(h.emulator.dump().orgs[0]!.teams.find((t) => t.name === 'team-105')?.id).toBe(teamIds.get('team-5'));
      expect(day2.plan!.warnings.join('\n')).toMatch(/group "group-7" is gone/);
      const before = writes(h).length;
      const again = await runSync(rt, { mode: 'full', trigger: 'backfill' });
      expect(again.plan!.phases.flat()).toHaveLength(0);
      expect(writes(h)).toHaveLength(before);
    },
  );

  it('with 5xx, applied-then-5xx and connection resets the state is exact and each write is applied once', async () => {
    h = await createGrafanaHarness(redisUrl, {
      emulator: { version: '10.4.0', errorRate: 0.05, appliedButErrorRate: 0.02, resetRate: 0.01, seed: 5 },
    });
    const dir = generateDirectory({ people: 400, groups: 30, memberships: 800, nestingDepth: 2, seed: 8 });
    h.writeDirectory(dir);
    signInEveryone(h, dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(orgState(h.emulator)).toEqual(expectedOrgState(dir));
    expect(
      h.emulator.stats().injected5xx + h.emulator.stats().appliedThen5xx + h.emulator.stats().resets,
    ).toBeGreaterThan(0);
    // Every state change happened exactly once: applied writes equal the minimum.
    expect(appliedWrites(h)).toBe(minimumWrites(dir, false));
  });

  it('a person without an account is reported as waiting, not failed, and added once they sign in', async () => {
    h = await createGrafanaHarness(redisUrl, { emulator: { version: '10.4.0' } });
    const dir = generateDirectory({ people: 30, groups: 4, memberships: 60, seed: 9 });
    h.writeDirectory(dir);
    const want = expectedOrgState(dir);
    const late = Object.keys(want.roles)[0]!;
    h.signIn(
      Object.keys(want.roles)
        .filter((e) => e !== late)
        .map((email) => ({ email, displayName: email })),
    );
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(first.status).toBe('succeeded');
    expect(first.plan!.stats.waiting).toBe(1);
    expect(first.plan!.warnings.join('\n')).toContain(`first sign-in (${late})`);
    expect(orgState(h.emulator).roles[late]).toBeUndefined();

    h.signIn([{ email: late, displayName: late }]);
    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.status).toBe('succeeded');
    expect(second.plan!.stats.waiting).toBe(0);
    expect(orgState(h.emulator)).toEqual(want);
  });

  it('without admin credentials, a person with no account is tried once per run and waits (deferred), not failed', async () => {
    h = await createGrafanaHarness(redisUrl, { emulator: { version: '10.4.0' }, target: { admin: undefined } });
    const dir = generateDirectory({ people: 20, groups: 3, memberships: 40, seed: 10 });
    h.writeDirectory(dir);
    const want = expectedOrgState(dir);
    const late = Object.keys(want.roles)[0]!;
    h.signIn(
      Object.keys(want.roles)
        .filter((e) => e !== late)
        .map((email) => ({ email, displayName: email })),
    );
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(out.run.counts['addMember.deferred']).toBeGreaterThanOrEqual(1);
    const { [late]: _, ...others } = want.roles;
    expect(orgState(h.emulator).roles).toEqual(others);
  });

  it('creates users through the Admin API when createUsers is on, in the org with their role', async () => {
    h = await createGrafanaHarness(redisUrl, { emulator: { version: '11.3.0' }, target: { createUsers: true } });
    const dir = generateDirectory({ people: 60, groups: 6, memberships: 120, seed: 11 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(out.run.counts['createUser.applied']).toBe(Object.keys(expectedOrgState(dir).roles).length);
    expect(orgState(h.emulator)).toEqual(expectedOrgState(dir));
  });

  it("keeps an org's last Admin even when the directory no longer has them", async () => {
    // Everyone joins Finance as a Viewer; Finance's only Admin is not in the directory.
    const mapping = { roles: [{ match: '.', role: 'Viewer', org: 'Finance' }] };
    h = await createGrafanaHarness(redisUrl, {
      emulator: { version: '10.4.0' },
      mapping,
      target: { orgTokens: { Finance: 'glsa_finance' } },
    });
    const f = withOrgToken(h, 'Finance', 'glsa_finance');
    h.emulator.api.createUser({ login: 'cfo@example.com', email: 'cfo@example.com' });
    h.emulator.api.setOrgRole(f, 'cfo@example.com', 'Admin');
    const dir = generateDirectory({ people: 10, groups: 2, memberships: 10, seed: 12 });
    h.writeDirectory(dir);
    signInEveryone(h, dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(out.plan!.warnings.join('\n')).toMatch(/the last Admin of org "Finance": not removed/);
    const finance = orgState(h.emulator, f);
    expect(finance.roles['cfo@example.com']).toBe('Admin');
    expect(Object.keys(finance.roles)).toHaveLength(
      1 + Object.keys(expectedOrgState(dir, mapping, 'Finance').roles).length,
    );
  });

  it('syncs two orgs in one run: teams and roles in each', async () => {
    const mapping = {
      rules: [
        { match: '^group-([0-2])$', team: 'team-$1' },
        { match: '^group-([3-5])$', team: 'team-$1', org: 'Sales' },
      ],
      roles: [
        { group: 'group-0', role: 'Admin' },
        { match: '^group-[3-5]$', role: 'Editor', org: 'Sales' },
      ],
    };
    h = await createGrafanaHarness(redisUrl, {
      emulator: { version: '11.3.0' },
      mapping,
      target: { orgTokens: { Sales: 'glsa_sales' } },
    });
    const sales = withOrgToken(h, 'Sales', 'glsa_sales');
    const dir = generateDirectory({ people: 120, groups: 6, memberships: 240, seed: 13 });
    h.writeDirectory(dir);
    signInEveryone(h, dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    const wantMain = expectedOrgState(dir, mapping);
    const wantSales = expectedOrgState(dir, mapping, 'Sales');
    expect(Object.keys(wantSales.teams)).toEqual(['team-3', 'team-4', 'team-5']);
    expect(orgState(h.emulator, sales)).toEqual(wantSales);
    const main = orgState(h.emulator);
    expect(main.teams).toEqual(wantMain.teams);
    for (const [email, role] of Object.entries(wantMain.roles)) expect(main.roles[email]).toBe(role);
    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.plan!.phases.flat()).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import { makePlan } from '../../../src/plan/make-plan.js';
import { renderPlanText } from '../../../src/plan/render.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Actual } from '../../../src/model/index.js';
import { CsvSource } from '../../../src/sources/csv/index.js';
import type { CsvSourceConfig } from '../../../src/sources/csv/schema.js';
import { EntraSource } from '../../../src/sources/entra/index.js';
import type { EntraSourceConfig } from '../../../src/sources/entra/schema.js';
import { LdapSource } from '../../../src/sources/ldap/index.js';
import { ldapSourceSchema } from '../../../src/sources/ldap/schema.js';
import type { Source } from '../../../src/sources/source.js';
import { actual, desired, input } from './builders.js';

describe('renderPlanText', () => {
  it('shows counts per op type, ops with reasons, the estimate and readiness', () => {
    const { plan } = makePlan(input(desired({ 'a@corp.com': ['Eng', 'Data'] }), actual({})));
    const text = renderPlanText(plan);
    expect(text).toMatch(/createTeam\s+2/);
    expect(text).toMatch(/createUser\s+1/);
    expect(text).toMatch(/total\s+4/);
    expect(text).toContain('create user a@corp.com on "Data"  -- in the directory, not in the target');
    expect(text).toMatch(/Estimate: 4 write calls \+ 2 reads at 15\.83 calls\/s/);
    expect(text).toMatch(/Ready to apply\.$/);
  });

  it('limits the op list and says how many there are', () => {
    const people = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`u${i}@corp.com`, ['Eng']]));
    const text = renderPlanText(makePlan(input(desired(people), actual({ Eng: [] }))).plan, { limit: 5 });
    expect(text).toContain('First 5 of 30 ops');
    expect(text.split('\n').filter((l) => l.startsWith('  create user'))).toHaveLength(5);
  });

  it('states the blocked reason', () => {
    const { plan } = makePlan(
      input(desired({}), actual({ Eng: ['a@corp.com'] }), { policy: { deprovision: 'delete-user' } }),
    );
    expect(renderPlanText(plan)).toMatch(/BLOCKED \(EMPTY_SOURCE\): the directory yielded no people/);
  });

  it('says when there is nothing to do', () => {
    const { plan } = makePlan(input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'] })));
    expect(renderPlanText(plan)).toMatch(/Nothing to do/);
  });

  it('heads the plan with the people read, those in scope and why the rest are not', () => {
    const d = {
      ...desired({ 'a@corp.com': ['Eng'] }),
      scope: { read: 17, out: { noGroup: 1, disabled: 12, locked: 3 } },
    };
    const { plan } = makePlan(input(d, actual({})));
    expect(plan.stats).toMatchObject({
      peopleRead: 17,
      desiredPeople: 1,
      outOfScope: { disabled: 12, locked: 3, noGroup: 1 },
    });
    expect(renderPlanText(plan).split('\n')[1]).toBe(
      '  directory: 17 people read, 1 in scope (12 disabled, 3 locked, 1 no mapped group), 1 team',
    );
    const all = { ...d, scope: { read: 1, out: {} } };
    expect(renderPlanText(makePlan(input(all, actual({}))).plan).split('\n')[1]).toBe(
      '  directory: 1 people read, 1 in scope, 1 team',
    );
  });

  it('says what the source could not use in its own words: rows for a CSV, entries for a directory', () => {
    const d = { ...desired({ 'a@corp.com': ['Eng'] }), scope: { read: 1, out: {} } };
    const deps = { log: silentLogger, baseDir: '/tmp', profile: 'hr' };
    const csv = new CsvSource({ kind: 'csv', path: 'people.csv' } as CsvSourceConfig, deps);
    const ldap = new LdapSource(
      ldapSourceSchema.parse({
        kind: 'ldap',
        url: 'ldap://ldap.example:389',
        bindDn: 'cn=svc,dc=x',
        bindPassword: 'x',
        people: { baseDn: 'ou=people,dc=x' },
        groups: { baseDn: 'ou=groups,dc=x' },
      }),
      deps,
    );
    const entra = new EntraSource({ kind: 'entra' } as EntraSourceConfig, deps);
    const header = (source: Source, issues: number) =>
      renderPlanText(
        makePlan(input(d, actual({}), { source: { kind: source.kind, issues, words: source.issueWords! } })).plan,
      ).split('\n')[1];
    expect(header(csv, 2)).toBe('  directory: 1 people read (2 rows skipped), 1 in scope, 1 team');
    expect(header(csv, 1)).toContain('(1 row skipped)');
    expect(header(ldap, 2)).toBe('  directory: 1 people read (2 entries with problems), 1 in scope, 1 team');
    expect(header(entra, 1)).toContain('(1 entry with problems)');
    expect(header(ldap, 0)).toBe('  directory: 1 people read, 1 in scope, 1 team');
    const wordless = makePlan(input(d, actual({}), { source: { kind: 'other', issues: 3 } })).plan;
    expect(renderPlanText(wordless)).toContain('(3 entries with problems)');
  });

  it('a joined read says how many people each source gave and how many were joined or left out', () => {
    const d = { ...desired({ 'a@corp.com': ['Eng'] }), scope: { read: 812, out: {} } };
    const source = {
      kind: 'joined',
      issues: 0,
      sources: [
        { name: 'hr', people: 840 },
        { name: 'ad', people: 1020 },
      ],
      join: { people: 812, joined: 790, notInRequired: 226, conflicts: 2 },
    };
    const lines = renderPlanText(makePlan(input(d, actual({}), { source })).plan).split('\n');
    expect(lines[2]).toBe(
      '             sources hr 840, ad 1020: 790 joined, 226 not in a required source, 2 in a join-key conflict',
    );
  });

  it('counts only what the sync manages in the target, and names the users it never touches', () => {
    const a = actual({ Eng: ['root@corp.com', 'b@corp.com', 'keep@corp.com'], Other: ['x@corp.com'] });
    a.users.find((u) => u.email === 'root@corp.com')!.untouchable = 'Grafana server admin';
    const d = desired({ 'b@corp.com': ['Eng'] });
    const { plan } = makePlan(input(d, a, { policy: { protectedUsers: ['keep@corp.com'] } }));
    expect(plan.stats).toMatchObject({
      targetUsers: 5,
      usersInScope: 1,
      neverTouched: { 'Grafana server admin': 1, 'policy.protectedUsers': 1 },
      teamsManaged: 1,
    });
    expect(renderPlanText(plan).split('\n')[2]).toBe(
      '  target:    1 user managed (2 never touched: 1 Grafana server admin, 1 policy.protectedUsers), 1 team managed',
    );
    // An empty Grafana: its server admin alone, in the org the sync manages.
    const empty: Actual = {
      users: [
        {
          id: '1',
          email: 'admin@localhost',
          displayName: 'admin',
          teamIds: ['o1'],
          untouchable: 'Grafana server admin',
        },
      ],
      teams: [{ id: 'o1', name: 'Main Org.', type: 'org', memberIds: ['1'] }],
    };
    const org = { name: 'Main Org.', key: 'org:Main Org.', type: 'org' as const };
    const grafana = makePlan(input({ teams: [org], people: [], warnings: [] }, empty)).plan;
    expect(renderPlanText(grafana).split('\n')[2]).toBe(
      '  target:    0 users managed (1 never touched: Grafana server admin), 0 teams and 1 org managed',
    );
  });

  it('still renders a plan stored before the header counted reads and managed objects', () => {
    const { plan } = makePlan(input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: [] })));
    const { peopleRead: _r, outOfScope: _o, neverTouched: _n, teamsManaged: _t, orgsManaged: _g, ...old } = plan.stats;
    const lines = renderPlanText({ ...plan, stats: old }).split('\n');
    expect(lines[1]).toBe('  directory: 1 people in scope, 1 team');
    expect(lines[2]).toBe('  target:    1 user (0 managed), 2 teams');
  });
});

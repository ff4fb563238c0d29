import { describe, expect, it } from 'vitest';
import { mapDirectory } from '../../../src/mapping/index.js';
import { parseDate, todayIn } from '../../../src/mapping/dates.js';
import { cfg, g, p, snap } from './fixtures.js';

const attrs = (a: Record<string, string | string[]>) =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]));

const people = [
  p('ana@x.com', ['bi-users'], {
    attributes: attrs({ department: 'Finance', title: 'Head of Finance', employeeType: 'Employee' }),
  }),
  p('bo@x.com', [], {
    attributes: attrs({ department: 'Sales', title: 'Account Executive', employeeType: 'Contractor' }),
  }),
  p('cy@x.com', ['bi-users'], { attributes: attrs({ department: 'Sales', employeeType: 'employee' }) }),
  p('di@x.com', [], { attributes: attrs({ department: ['Sales', 'Support'] }) }),
  p('ed@x.com', [], {}),
];
const groups = [g('bi-users'), g('Everyone')];

const teamsOf = (mapping: Record<string, unknown>, opts = {}) =>
  Object.fromEntries(mapDirectory(snap(people, groups), cfg(mapping), opts).people.map((x) => [x.email, x.teams]));

describe('rules on attributes', () => {
  it('a team per value (each value of a multi-valued attribute), keyed by attribute and value', () => {
    const d = mapDirectory(snap(people, groups), cfg({ rules: [{ attribute: 'department', team: '${value}' }] }));
    expect(Object.fromEntries(d.people.map((x) => [x.email, x.teams]))).toEqual({
      'ana@x.com': ['Finance'],
      'bo@x.com': ['Sales'],
      'cy@x.com': ['Sales'],
      'di@x.com': ['Sales', 'Support'],
    });
    expect(d.teams.map((t) => [t.name, t.key, t.group])).toEqual([
      ['Finance', 'attr:department=Finance', 'department = Finance'],
      ['Sales', 'attr:department=Sales', 'department = Sales'],
      ['Support', 'attr:department=Support', 'department = Support'],
    ]);
    expect(d.people.find((x) => x.email === 'ana@x.com')!.teamReasons).toEqual(
      new Map([['Finance', 'department = Finance']]),
    );
    expect(d.scope).toEqual({ read: 5, out: { noGroup: 1 } });
  });

  it('match on the value with captures, and another attribute in the template', () => {
    const mapping = {
      rules: [{ attribute: 'title', match: '^Head of (.+)$', team: 'Leads $1 (${department})' }],
    };
    expect(teamsOf(mapping)).toEqual({ 'ana@x.com': ['Leads Finance (Finance)'] });
  });

  it('a condition rule needs every condition: a group (through nesting) and an attribute, case ignored', () => {
    const mapping = {
      rules: [
        {
          where: [{ memberOf: 'bi-users' }, { attribute: 'department', in: ['finance', 'SALES'] }],
          team: 'BI analysts',
        },
      ],
    };
    expect(teamsOf(mapping)).toEqual({ 'ana@x.com': ['BI analysts'], 'cy@x.com': ['BI analysts'] });
    const d = mapDirectory(snap(people, groups), cfg(mapping));
    expect(d.teams).toEqual([{ name: 'BI analysts', key: 'name:BI analysts' }]);
    expect(d.people[0]!.teamReasons).toEqual(
      new Map([['BI analysts', 'member of bi-users and department in [finance, SALES]']]),
    );
  });

  it('roles by attribute, with the value as the reason; orgs from a template on targets with orgs', () => {
    const mapping = {
      rules: [{ attribute: 'department', team: '${value}' }],
      roles: [
        { attribute: 'title', match: '^Head of', role: 'Admin' },
        { attribute: 'department', role: 'Viewer', org: '${value} Org' },
      ],
    };
    const d = mapDirectory(snap(people, groups), cfg(mapping), { defaultOrg: 'Main Org' });
    const ana = d.people.find((x) => x.email === 'ana@x.com')!;
    expect(ana.roles).toEqual({
      'Main Org': [{ role: 'Admin', reason: 'title = Head of Finance' }],
      'Finance Org': [{ role: 'Viewer', reason: 'department = Finance' }],
    });
    expect(ana.teams).toEqual(['Finance Org', 'Main Org', 'Main Org / Finance']);
    expect(d.teams.filter((t) => t.type === 'org').map((t) => t.name)).toEqual([
      'Finance Org',
      'Main Org',
      'Sales Org',
      'Support Org',
    ]);
  });

  it('a scoping filter leaves people out, counted as filtered', () => {
    const mapping = {
      rules: [{ attribute: 'department', team: '${value}' }],
      people: {
        where: [
          { attribute: 'employeeType', notIn: ['contractor'] },
          { attribute: 'department', present: true },
        ],
      },
    };
    const d = mapDirectory(snap(people, groups), cfg(mapping));
    expect(d.people.map((x) => x.email)).toEqual(['ana@x.com', 'cy@x.com', 'di@x.com']);
    expect(d.scope!.out).toEqual({ filtered: 2 });
    // The team of a value only out-of-scope people have still exists (emptied, like a group's).
    expect(d.teams.map((t) => t.name)).toEqual(['Finance', 'Sales', 'Support']);
  });
});

describe('dates', () => {
  const leaver = (end: string, start?: string) =>
    p('lee@x.com', ['Everyone'], { attributes: attrs({ endDate: end, ...(start ? { startDate: start } : {}) }) });
  const mapping = cfg({
    groups: { Everyone: 'All' },
    people: {
      where: [
        { attribute: 'endDate', date: 'notPassed' },
        { attribute: 'startDate', date: 'reached' },
      ],
    },
  });
  const inScope = (person: ReturnType<typeof leaver>, at: string, timeZone = 'Europe/Berlin') => {
    const d = mapDirectory(snap([person], [g('Everyone')]), mapping, { now: Date.parse(at), timeZone });
    return { in: d.people.length === 1, out: d.scope!.out, warnings: d.warnings };
  };

  it('an end date is the last day, in the profile zone: out from midnight after it, not before', () => {
    const person = leaver('2026-12-06', '2026-01-05');
    expect(inScope(person, '2026-12-06T22:59:00Z').in).toBe(true); // 23:59 in Berlin
    expect(inScope(person, '2026-12-06T23:01:00Z')).toMatchObject({ in: false, out: { ended: 1 } }); // 00:01
    expect(inScope(person, '2026-12-06T23:01:00Z', 'America/New_York').in).toBe(true);
  });

  it('a start date next Monday: not synced before it, synced on the day', () => {
    const hire = leaver('2030-01-01', '2026-12-07');
    expect(inScope(hire, '2026-12-06T12:00:00Z')).toMatchObject({ in: false, out: { notStarted: 1 } });
    expect(inScope(hire, '2026-12-06T23:30:00Z').in).toBe(true); // Monday 00:30 in Berlin
  });

  it('reads AD generalized time and Windows file time (0 and 2^63-1 mean never)', () => {
    expect(parseDate('20261206170000.0Z')).toEqual({ kind: 'instant', ms: Date.parse('2026-12-06T17:00:00Z') });
    expect(parseDate('134096256000000000')).toEqual({ kind: 'instant', ms: Date.parse('2025-12-08T00:00:00Z') });
    expect(parseDate('9223372036854775807')).toEqual({ kind: 'never' });
    expect(parseDate('0')).toEqual({ kind: 'never' });
    expect(parseDate('2026-02-30')).toBeUndefined();
    expect(todayIn(Date.parse('2026-12-06T23:30:00Z'), 'Europe/Berlin')).toBe('2026-12-07');
    const expired = leaver('134096256000000000');
    expect(inScope(expired, '2026-12-06T12:00:00Z').out).toEqual({ ended: 1 });
  });

  it('a date that does not parse never puts anyone in scope, and a warning names the person', () => {
    const r = inScope(leaver('next friday', '2020-01-01'), '2026-12-06T12:00:00Z');
    expect(r).toMatchObject({ in: false, out: { filtered: 1 } });
    expect(r.warnings).toContain(
      'lee@x.com: "next friday" is not a date: left out of scope (endDate not passed, mapping.people.where)',
    );
  });
});

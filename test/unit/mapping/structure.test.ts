import { describe, expect, it } from 'vitest';
import { groupNesting, mapDirectory } from '../../../src/mapping/index.js';
import type { Group } from '../../../src/model/index.js';
import { cfg, g, p, rule, snap } from './fixtures.js';

const cycleWarnings = (w: string[]) => w.filter((x) => x.startsWith('group nesting cycle'));

describe('mapDirectory: nesting', () => {
  it('reports a cycle once, naming its groups, and gives members of one group all teams of the cycle', () => {
    const groups = [g('A', 'C'), g('B', 'A'), g('C', 'B'), g('Top'), g('D', 'A')];
    groups[2]!.parentIds.push('id-Top');

    const d = mapDirectory(snap([p('a@x.com', ['D'])], groups), cfg({ rules: [rule('^(.+)$', '$1')] }));

    expect(d.people[0]!.teams).toEqual(['A', 'B', 'C', 'D', 'Top']);
    expect(cycleWarnings(d.warnings)).toEqual([expect.stringMatching(/^group nesting cycle: A, B, C: /)]);
  });

  it('reports a group nested in itself and two separate cycles, each once', () => {
    const groups = [g('Self', 'Self'), g('X', 'Y'), g('Y', 'X'), g('P', 'Q'), g('Q', 'P')];

    const d = mapDirectory(snap([p('a@x.com', ['Self', 'X'])], groups), cfg({ rules: [rule('^(.+)$', '$1')] }));

    expect(d.people[0]!.teams).toEqual(['Self', 'X', 'Y']);
    expect(cycleWarnings(d.warnings).map((w) => w.split(':')[1]!.trim())).toEqual(['P, Q', 'Self', 'X, Y']);
  });

  it('walks a 20,000-group chain without running out of stack', () => {
    const chain: Group[] = Array.from({ length: 20_000 }, (_, i) => ({
      sourceId: `c${i}`,
      name: `c${i}`,
      parentIds: i > 0 ? [`c${i - 1}`] : [],
    }));

    const d = mapDirectory(
      {
        people: [{ sourceId: 'a', email: 'a@x.com', displayName: 'A', enabled: true, groupIds: ['c19999'] }],
        groups: chain,
        issues: [],
      },
      cfg({ groups: { c0: 'Root' } }),
    );

    expect(d.people[0]!.teams).toEqual(['Root']);
  });

  it('condenses cycles so every component comes after the ones it nests into', () => {
    const n = groupNesting([g('A', 'B'), g('B', 'A'), g('C', 'A'), g('D', 'C')]);

    const at = (id: string) => n.componentOf.get(id)!;
    expect(at('id-A')).toBe(at('id-B'));
    expect(at('id-A')).toBeLessThan(at('id-C'));
    expect(at('id-C')).toBeLessThan(at('id-D'));
    expect(n.cycles).toEqual([['id-A', 'id-B']]);
  });

  it('keeps a referenced but unlisted group by id as its name, with one warning', () => {
    const groups = [g('Sales', 'Ghost-parent')];

    const d = mapDirectory(
      snap([p('a@x.com', ['Ghost']), p('b@x.com', ['Sales'])], groups),
      cfg({ groups: { 'id-Ghost': 'Ghost team', 'id-Ghost-parent': 'Parent' } }),
    );

    expect(d.people.map((x) => [x.email, x.teams])).toEqual([
      ['a@x.com', ['Ghost team']],
      ['b@x.com', ['Parent']],
    ]);
    expect(d.warnings).toEqual([
      '2 group(s) referenced but not listed (id-Ghost, id-Ghost-parent): kept with their id as name',
    ]);
  });

  it('does not warn about group ids when the source lists no groups (ids are names)', () => {
    const d = mapDirectory(snap([p('a@x.com', ['Sales'])], []), cfg({ groups: { 'id-Sales': 'S' } }));

    expect(d.people[0]!.teams).toEqual(['S']);
    expect(d.warnings).toEqual([]);
  });
});

describe('mapDirectory: teams and keys', () => {
  const groups = [g('Engineering'), g('Platform', 'Engineering'), g('Sales'), g('Empty')];

  it('keys a team made by one group by that group, and a team made by two groups by name', () => {
    const d = mapDirectory(
      snap([p('a@x.com', ['Sales', 'Platform'])], groups),
      cfg({ groups: { Sales: 'Sales', Platform: 'Tech', Engineering: 'Tech' } }),
    );

    expect(d.teams).toEqual([
      { name: 'Sales', key: 'group:id-Sales', group: 'Sales' },
      { name: 'Tech', key: 'name:Tech' },
    ]);
  });

  it('keeps every mapped team, also one whose group has no one in scope, and the default team by name', () => {
    const d = mapDirectory(
      snap([p('a@x.com', ['Sales'])], groups),
      cfg({ groups: { Sales: 'Sales', Empty: 'Empty team' }, defaultTeam: 'Everyone' }),
    );

    expect(d.teams).toEqual([
      { name: 'Empty team', key: 'group:id-Empty', group: 'Empty' },
      { name: 'Everyone', key: 'name:Everyone' },
      { name: 'Sales', key: 'group:id-Sales', group: 'Sales' },
    ]);
  });

  it("keys a team that is both a group's team and the default team by name", () => {
    const d = mapDirectory(
      snap([p('a@x.com', ['Sales']), p('b@x.com', [])], groups),
      cfg({ groups: { Sales: 'Everyone' }, defaultTeam: 'Everyone' }),
    );

    expect(d.teams).toEqual([{ name: 'Everyone', key: 'name:Everyone' }]);
  });
});

describe('mapDirectory: people', () => {
  const groups = [g('Sales')];
  const m = cfg({ groups: { Sales: 'S' } });

  it('keeps the first person of a duplicated email (by sourceId) and warns', () => {
    const d = mapDirectory(
      snap([p('A@x.com', ['Sales'], { sourceId: 'z' }), p('a@x.com ', ['Sales'], { sourceId: 'b' })], groups),
      m,
    );

    expect(d.people.map((x) => [x.sourceId, x.email])).toEqual([['b', 'a@x.com']]);
    expect(d.warnings).toEqual(['A@x.com: same email as directory person b; z skipped']);
  });

  it('skips people without a usable email with one warning', () => {
    const d = mapDirectory(
      snap(
        [
          p('', ['Sales'], { sourceId: 'n1' }),
          p('not-an-email', ['Sales'], { sourceId: 'n2' }),
          p('ok@x.com', ['Sales']),
        ],
        groups,
      ),
      m,
    );

    expect(d.people.map((x) => x.email)).toEqual(['ok@x.com']);
    expect(d.warnings).toEqual(['2 person(s) without a usable email skipped (n1, n2)']);
  });

  it('falls back to the email for a blank display name', () => {
    const d = mapDirectory(snap([p('a@x.com', ['Sales'], { displayName: '  ' })], groups), m);

    expect(d.people[0]!.displayName).toBe('a@x.com');
  });

  it('sorts people by email and teams by name', () => {
    const many = [g('Sales'), g('Eng')];
    const d = mapDirectory(
      snap([p('c@x.com', ['Sales', 'Eng']), p('B@x.com', ['Sales']), p('a@x.com', ['Eng'])], many),
      cfg({ groups: { Sales: 'b', Eng: 'a' } }),
    );

    expect(d.people.map((x) => x.email)).toEqual(['a@x.com', 'B@x.com', 'c@x.com']);
    expect(d.people[2]!.teams).toEqual(['a', 'b']);
    expect(d.teams.map((t) => t.name)).toEqual(['a', 'b']);
  });
});

describe('mapDirectory: determinism', () => {
  it('gives the same output, warnings included, whatever the input order', () => {
    const groups = [g('Engineering', 'Loop'), g('Loop', 'Engineering'), g('Platform', 'Engineering'), g('Sales')];
    const people = [
      p('b@x.com', ['Sales', 'Platform']),
      p('a@x.com', ['Platform', 'Missing']),
      p('A@x.com', ['Sales'], { sourceId: 'zz' }),
    ];
    const m = cfg({ groups: { Sales: 'S', Platform: 'P' }, rules: [rule('.+', 'all')], defaultTeam: 'Everyone' });

    const forward = mapDirectory(snap(people, groups), m);
    const backward = mapDirectory(snap([...people].reverse(), [...groups].reverse()), m);

    expect(backward).toEqual(forward);
    expect(forward.warnings).toHaveLength(3);
  });
});

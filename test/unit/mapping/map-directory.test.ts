import { describe, expect, it } from 'vitest';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Person } from '../../../src/model/index.js';
import { cfg, g, p, rule, snap } from './fixtures.js';

/** email -> teams, for the in-scope people. */
const teamsOf = (people: Person[], mapping: Record<string, unknown>) =>
  Object.fromEntries(mapDirectory(snap(people, groups), cfg(mapping)).people.map((x) => [x.email, x.teams]));

const groups = [
  g('Engineering'),
  g('Platform', 'Engineering'),
  g('SRE', 'Platform'),
  g('Sales'),
  g('bi-analysts'),
  g('bi-admins'),
  g('Interns'),
  g('constructor'),
];

const cases: {
  name: string;
  people: Person[];
  mapping: Record<string, unknown>;
  expected: Record<string, string[]>;
}[] = [
  {
    name: 'explicit map by group name',
    people: [p('a@x.com', ['Sales'])],
    mapping: { groups: { Sales: 'Sales Team' } },
    expected: { 'a@x.com': ['Sales Team'] },
  },
  {
    name: 'explicit map by group sourceId',
    people: [p('a@x.com', ['Sales'])],
    mapping: { groups: { 'id-Sales': 'S' } },
    expected: { 'a@x.com': ['S'] },
  },
  {
    name: 'explicit map: sourceId beats name',
    people: [p('a@x.com', ['Sales'])],
    mapping: { groups: { Sales: 'by name', 'id-Sales': 'by id' } },
    expected: { 'a@x.com': ['by id'] },
  },
  {
    name: 'a group named like an Object member is an ordinary name',
    people: [p('a@x.com', ['constructor'])],
    mapping: { groups: { Sales: 'S' }, defaultTeam: 'Everyone' },
    expected: { 'a@x.com': ['Everyone'] },
  },
  {
    name: 'regex rule with a numbered capture ($1)',
    people: [p('a@x.com', ['bi-analysts'])],
    mapping: { rules: [rule('^bi-(.+)$', 'BI $1')] },
    expected: { 'a@x.com': ['BI analysts'] },
  },
  {
    name: 'regex rule with a braced numbered capture (${1})',
    people: [p('a@x.com', ['bi-analysts'])],
    mapping: { rules: [rule('^bi-(.+)$', 'BI ${1}s')] },
    expected: { 'a@x.com': ['BI analystss'] },
  },
  {
    name: 'regex rule with a named capture',
    people: [p('a@x.com', ['bi-admins'])],
    mapping: { rules: [rule('^bi-(?<role>.+)$', 'BI ${role}')] },
    expected: { 'a@x.com': ['BI admins'] },
  },
  {
    name: '$$ is a literal dollar',
    people: [p('a@x.com', ['Sales'])],
    mapping: { rules: [rule('^Sales$', 'Sales $$1')] },
    expected: { 'a@x.com': ['Sales $1'] },
  },
  {
    name: 'regex rule flags',
    people: [p('a@x.com', ['Sales'])],
    mapping: { rules: [rule('^sales$', 'S', 'i')] },
    expected: { 'a@x.com': ['S'] },
  },
  {
    name: 'explicit map beats a rule',
    people: [p('a@x.com', ['bi-admins'])],
    mapping: { groups: { 'bi-admins': 'Admins' }, rules: [rule('^bi-(.+)$', 'BI $1')] },
    expected: { 'a@x.com': ['Admins'] },
  },
  {
    name: 'first matching rule wins',
    people: [p('a@x.com', ['bi-admins'])],
    mapping: { rules: [rule('admins', 'First'), rule('^bi', 'Second')] },
    expected: { 'a@x.com': ['First'] },
  },
  {
    name: 'a blank result maps to no team',
    people: [p('a@x.com', ['Sales'])],
    mapping: { groups: { Sales: ' ' }, defaultTeam: 'Everyone' },
    expected: { 'a@x.com': ['Everyone'] },
  },
  {
    name: 'include limits the mapped groups',
    people: [p('a@x.com', ['Sales', 'Engineering'])],
    mapping: { include: ['Sales'], groups: { Sales: 'Sales', Engineering: 'Eng' } },
    expected: { 'a@x.com': ['Sales'] },
  },
  {
    name: 'exclude drops a group',
    people: [p('a@x.com', ['Sales', 'Engineering'])],
    mapping: { exclude: ['Sales'], groups: { Sales: 'Sales', Engineering: 'Eng' } },
    expected: { 'a@x.com': ['Eng'] },
  },
  {
    name: 'exclude beats include and the explicit map',
    people: [p('a@x.com', ['Sales'])],
    mapping: { include: ['Sales'], exclude: ['Sales'], groups: { Sales: 'S' } },
    expected: {},
  },
  {
    name: 'regex include and exclude',
    people: [p('a@x.com', ['bi-admins', 'bi-analysts', 'Sales'])],
    mapping: { include: ['/^BI-/i'], exclude: ['/admins$/'], rules: [rule('^(.+)$', '$1')] },
    expected: { 'a@x.com': ['bi-analysts'] },
  },
  {
    name: 'default team for people with no mapped group',
    people: [p('a@x.com', ['Interns']), p('b@x.com', [])],
    mapping: { defaultTeam: 'Everyone' },
    expected: { 'a@x.com': ['Everyone'], 'b@x.com': ['Everyone'] },
  },
  {
    name: 'the default team is not added to people with a mapped group',
    people: [p('a@x.com', ['Sales'])],
    mapping: { groups: { Sales: 'S' }, defaultTeam: 'Everyone' },
    expected: { 'a@x.com': ['S'] },
  },
  {
    name: 'without a default team, people with no mapped group are out of scope',
    people: [p('a@x.com', ['Interns']), p('b@x.com', ['Sales'])],
    mapping: { groups: { Sales: 'Sales' } },
    expected: { 'b@x.com': ['Sales'] },
  },
  {
    name: 'disabled people are filtered out by default',
    people: [p('a@x.com', ['Sales'], { enabled: false }), p('b@x.com', ['Sales'])],
    mapping: { groups: { Sales: 'Sales' } },
    expected: { 'b@x.com': ['Sales'] },
  },
  {
    name: 'includeDisabled keeps them',
    people: [p('a@x.com', ['Sales'], { enabled: false })],
    mapping: { groups: { Sales: 'Sales' }, people: { includeDisabled: true } },
    expected: { 'a@x.com': ['Sales'] },
  },
  {
    name: 'email domain filter (case-insensitive, exact domain, leading @ allowed)',
    people: [p('a@X.com', ['Sales']), p('b@other.org', ['Sales']), p('c@eu.x.com', ['Sales']), p('d@y.org', ['Sales'])],
    mapping: { groups: { Sales: 'Sales' }, people: { emailDomains: ['x.COM', '@y.org'] } },
    expected: { 'a@X.com': ['Sales'], 'd@y.org': ['Sales'] },
  },
  {
    name: 'excluded emails (case-insensitive, trimmed)',
    people: [p('a@x.com', ['Sales']), p(' B@x.com', ['Sales'])],
    mapping: { groups: { Sales: 'Sales' }, people: { exclude: ['b@X.com '] } },
    expected: { 'a@x.com': ['Sales'] },
  },
  {
    name: 'membership is transitive through three levels of nesting',
    people: [p('a@x.com', ['SRE'])],
    mapping: { groups: { Engineering: 'Eng', Platform: 'Plat', SRE: 'SRE' } },
    expected: { 'a@x.com': ['Eng', 'Plat', 'SRE'] },
  },
  {
    name: 'an unmapped middle group still passes membership up',
    people: [p('a@x.com', ['SRE'])],
    mapping: { groups: { Engineering: 'Eng' } },
    expected: { 'a@x.com': ['Eng'] },
  },
  {
    name: 'an excluded middle group still passes membership up',
    people: [p('a@x.com', ['SRE'])],
    mapping: { exclude: ['Platform'], rules: [rule('^(.+)$', '$1')] },
    expected: { 'a@x.com': ['Engineering', 'SRE'] },
  },
  {
    name: 'membership does not flow down to nested groups',
    people: [p('a@x.com', ['Engineering'])],
    mapping: { groups: { Platform: 'Plat' } },
    expected: {},
  },
  {
    name: 'two groups giving one team give it once',
    people: [p('a@x.com', ['Sales', 'SRE'])],
    mapping: { groups: { Sales: 'T', Engineering: 'T' } },
    expected: { 'a@x.com': ['T'] },
  },
  {
    name: 'emails are trimmed and keep their case',
    people: [p('  Ada@X.com ', ['Sales'])],
    mapping: { groups: { Sales: 'S' } },
    expected: { 'Ada@X.com': ['S'] },
  },
];

describe('mapDirectory: one case per rule', () => {
  it.each(cases)('$name', ({ people, mapping, expected }) => {
    expect(teamsOf(people, mapping)).toEqual(expected);
  });
});

describe('mapDirectory: who is out of scope, and why', () => {
  it('counts each person read once, under the first reason that leaves them out', () => {
    const people = [
      p('in@x.com', ['Sales']),
      p('off@x.com', ['Sales'], { enabled: false }),
      p('off2@x.com', [], { enabled: false }),
      p('locked@x.com', ['Sales'], { enabled: false, locked: true }),
      p('gone@x.com', ['Sales']),
      p('far@elsewhere.org', ['Sales']),
      p('nogroup@x.com', ['Other']),
      p('noemail', ['Sales']),
      p('IN@x.com', ['Sales'], { sourceId: 's-zz-dup' }),
    ];
    const mapping = cfg({
      groups: { Sales: 'S' },
      people: { exclude: ['gone@x.com'], emailDomains: ['x.com', 'noemail'] },
    });
    const d = mapDirectory(snap(people, [g('Sales'), g('Other')]), mapping);
    expect(d.people.map((x) => x.email)).toEqual(['in@x.com']);
    expect(d.scope).toEqual({
      read: 9,
      out: { disabled: 2, locked: 1, excluded: 1, otherDomain: 1, noGroup: 1, noEmail: 1, duplicateEmail: 1 },
    });
  });

  it('with includeDisabled, disabled and locked people are in scope like the others', () => {
    const people = [
      p('a@x.com', ['Sales'], { enabled: false }),
      p('b@x.com', ['Sales'], { enabled: false, locked: true }),
    ];
    const d = mapDirectory(
      snap(people, [g('Sales')]),
      cfg({ groups: { Sales: 'S' }, people: { includeDisabled: true } }),
    );
    expect(d.scope).toEqual({ read: 2, out: {} });
    expect(d.people).toHaveLength(2);
  });
});

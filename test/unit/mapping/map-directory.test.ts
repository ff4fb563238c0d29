import { describe, expect, it } from 'vitest';
import { mappingSchema, type MappingConfig } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Group, Person, Snapshot } from '../../../src/model/index.js';

const g = (name: string, ...parents: string[]): Group => ({ sourceId: `id-${name}`, name, parentIds: parents.map((p) => `id-${p}`) });
const p = (email: string, groups: string[], over: Partial<Person> = {}): Person => ({
  sourceId: `s-${email}`, email, displayName: email, enabled: true, groupIds: groups.map((n) => `id-${n}`), ...over,
});
const snap = (people: Person[], groups: Group[]): Snapshot => ({ people, groups, issues: [] });
const cfg = (m: Partial<MappingConfig> = {}): MappingConfig => ({ ...mappingSchema.parse({}), ...m });

/** email -> teams, for the in-scope people. */
const teamsOf = (s: Snapshot, m: MappingConfig) => Object.fromEntries(mapDirectory(s, m).people.map((x) => [x.email, x.teams]));

const groups = [g('Engineering'), g('Platform', 'Engineering'), g('SRE', 'Platform'), g('Sales'), g('bi-analysts'), g('bi-admins'), g('Interns')];

const cases: { name: string; people: Person[]; mapping: Partial<MappingConfig>; expected: Record<string, string[]> }[] = [
  { name: 'explicit map by group name', people: [p('a@x.com', ['Sales'])], mapping: { groups: { Sales: 'Sales Team' } }, expected: { 'a@x.com': ['Sales Team'] } },
  { name: 'explicit map by group sourceId', people: [p('a@x.com', ['Sales'])], mapping: { groups: { 'id-Sales': 'S' } }, expected: { 'a@x.com': ['S'] } },
  { name: 'regex rule with a numbered capture', people: [p('a@x.com', ['bi-analysts'])], mapping: { rules: [{ match: '^bi-(.+)$', team: 'BI $1', flags: '' }] }, expected: { 'a@x.com': ['BI analysts'] } },
  { name: 'regex rule with a named capture', people: [p('a@x.com', ['bi-admins'])], mapping: { rules: [{ match: '^bi-(?<role>.+)$', team: 'BI ${role}', flags: '' }] }, expected: { 'a@x.com': ['BI admins'] } },
  { name: 'explicit map beats a rule', people: [p('a@x.com', ['bi-admins'])], mapping: { groups: { 'bi-admins': 'Admins' }, rules: [{ match: '^bi-(.+)$', team: 'BI $1', flags: '' }] }, expected: { 'a@x.com': ['Admins'] } },
  { name: 'first matching rule wins', people: [p('a@x.com', ['bi-admins'])], mapping: { rules: [{ match: 'admins', team: 'First', flags: '' }, { match: '^bi', team: 'Second', flags: '' }] }, expected: { 'a@x.com': ['First'] } },
  { name: 'include limits the mapped groups', people: [p('a@x.com', ['Sales', 'Engineering'])], mapping: { include: ['Sales'], rules: [{ match: '.*', team: '$&', flags: '' }], groups: { Sales: 'Sales', Engineering: 'Eng' } }, expected: { 'a@x.com': ['Sales'] } },
  { name: 'exclude drops a group', people: [p('a@x.com', ['Sales', 'Engineering'])], mapping: { exclude: ['Sales'], groups: { Sales: 'Sales', Engineering: 'Eng' } }, expected: { 'a@x.com': ['Eng'] } },
  { name: 'regex include and exclude', people: [p('a@x.com', ['bi-admins', 'bi-analysts'])], mapping: { include: ['/^bi-/'], exclude: ['/admins$/'], rules: [{ match: '^bi-(.+)$', team: '$1', flags: '' }] }, expected: { 'a@x.com': ['analysts'] } },
  { name: 'default team for people with no mapped group', people: [p('a@x.com', ['Interns']), p('b@x.com', [])], mapping: { defaultTeam: 'Everyone' }, expected: { 'a@x.com': ['Everyone'], 'b@x.com': ['Everyone'] } },
  { name: 'without a default team, people with no mapped group are out of scope', people: [p('a@x.com', ['Interns']), p('b@x.com', ['Sales'])], mapping: { groups: { Sales: 'Sales' } }, expected: { 'b@x.com': ['Sales'] } },
  { name: 'disabled people are filtered out by default', people: [p('a@x.com', ['Sales'], { enabled: false }), p('b@x.com', ['Sales'])], mapping: { groups: { Sales: 'Sales' } }, expected: { 'b@x.com': ['Sales'] } },
  { name: 'includeDisabled keeps them', people: [p('a@x.com', ['Sales'], { enabled: false })], mapping: { groups: { Sales: 'Sales' }, people: { includeDisabled: true, emailDomains: [], exclude: [] } }, expected: { 'a@x.com': ['Sales'] } },
  { name: 'email domain filter', people: [p('a@x.com', ['Sales']), p('b@other.org', ['Sales'])], mapping: { groups: { Sales: 'Sales' }, people: { includeDisabled: false, emailDomains: ['X.com'], exclude: [] } }, expected: { 'a@x.com': ['Sales'] } },
  { name: 'excluded emails', people: [p('a@x.com', ['Sales']), p('b@x.com', ['Sales'])], mapping: { groups: { Sales: 'Sales' }, people: { includeDisabled: false, emailDomains: [], exclude: ['B@X.com'] } }, expected: { 'a@x.com': ['Sales'] } },
  { name: 'membership is transitive through three levels of nesting', people: [p('a@x.com', ['SRE'])], mapping: { groups: { Engineering: 'Eng', Platform: 'Plat', SRE: 'SRE' } }, expected: { 'a@x.com': ['Eng', 'Plat', 'SRE'] } },
  { name: 'an unmapped middle group still passes membership up', people: [p('a@x.com', ['SRE'])], mapping: { groups: { Engineering: 'Eng' } }, expected: { 'a@x.com': ['Eng'] } },
];

describe('mapDirectory rules', () => {
  it.each(cases)('$name', ({ people, mapping, expected }) => {
    expect(teamsOf(snap(people, groups), cfg(mapping))).toEqual(expected);
  });
});

describe('mapDirectory structure', () => {
  it('reports a nesting cycle once and does not loop', () => {
    const cyc = [g('A', 'C'), g('B', 'A'), g('C', 'B')];
    const d = mapDirectory(snap([p('a@x.com', ['A'])], cyc), cfg({ groups: { A: 'A', B: 'B', C: 'C' } }));
    expect(d.people[0]!.teams).toEqual(['A', 'B', 'C']);
    expect(d.warnings.filter((w) => w.includes('cycle'))).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/A -> C -> B -> A|B -> A -> C -> B|C -> B -> A -> C/);
  });

  it('keeps a referenced but unlisted group by id, with a warning', () => {
    const d = mapDirectory(snap([p('a@x.com', ['Ghost'])], [g('Sales')]), cfg({ groups: { 'id-Ghost': 'Ghost team' } }));
    expect(d.people[0]!.teams).toEqual(['Ghost team']);
    expect(d.warnings.join()).toMatch(/1 group\(s\) referenced but not listed \(id-Ghost\)/);
  });

  it('keys a team made by one group by that group, and a team made by two groups by name', () => {
    const d = mapDirectory(snap([p('a@x.com', ['Sales', 'Platform'])], groups), cfg({ groups: { Sales: 'Sales', Platform: 'Tech', Engineering: 'Tech' } }));
    expect(d.teams).toEqual([{ name: 'Sales', key: 'group:id-Sales' }, { name: 'Tech', key: 'name:Tech' }]);
  });

  it('keeps the first person of a duplicated email (by sourceId) and warns', () => {
    const d = mapDirectory(snap([p('A@x.com', ['Sales'], { sourceId: 'z' }), p('a@x.com ', ['Sales'], { sourceId: 'b' })], groups), cfg({ groups: { Sales: 'S' } }));
    expect(d.people.map((x) => x.sourceId)).toEqual(['b']);
    expect(d.warnings.join()).toMatch(/A@x\.com: also the email of directory person b/);
  });

  it('is deterministic: input order does not change the output', () => {
    const people = [p('b@x.com', ['Sales', 'SRE']), p('a@x.com', ['Platform'])];
    const m = cfg({ groups: { Sales: 'S', Platform: 'P' }, rules: [{ match: '.+', team: 'all', flags: '' }] });
    expect(mapDirectory(snap(people, groups), m)).toEqual(mapDirectory(snap([...people].reverse(), [...groups].reverse()), m));
  });
});

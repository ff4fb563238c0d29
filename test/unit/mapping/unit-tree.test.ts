import { describe, expect, it } from 'vitest';
import { mapDirectory } from '../../../src/mapping/index.js';
import { labelOf } from '../../../src/model/index.js';
import { cfg, g, p, rule, snap } from './fixtures.js';

const tree = (d: ReturnType<typeof mapDirectory>) =>
  d.teams.map((t) => `${labelOf(t)}${t.under ? ` < ${t.under}` : ''}`);

describe('units from groups', () => {
  const groups = [
    g('Company'),
    g('Sales', 'Company'),
    g('EMEA', 'Sales'),
    g('Unmapped', 'Company'),
    g('Team', 'Unmapped'),
  ];
  const mapping = cfg({ rules: [rule('^(Company|Sales|EMEA|Team)$', '$1')] });

  it('mirrors the nesting, parents first; a unit skips an unmapped group to the nearest mapped one', () => {
    const d = mapDirectory(snap([p('a@x.com', ['EMEA'])], groups), mapping, { units: 'groups' });
    expect(tree(d)).toEqual(['Company', 'Sales < Company', 'Team < Company', 'EMEA < Sales']);
    expect(d.teams.every((t) => t.type === 'ou')).toBe(true);
  });

  it('membership is transitive by default, direct on request', () => {
    const people = [p('a@x.com', ['EMEA'])];
    expect(mapDirectory(snap(people, groups), mapping, { units: 'groups' }).people[0]!.teams).toEqual([
      'Company',
      'EMEA',
      'Sales',
    ]);
    expect(
      mapDirectory(snap(people, groups), mapping, { units: 'groups', directMembership: true }).people[0]!.teams,
    ).toEqual(['EMEA']);
  });

  it('a nesting cycle never makes a unit its own ancestor', () => {
    const d = mapDirectory(
      snap([p('a@x.com', ['A'])], [g('A', 'B'), g('B', 'A')]),
      cfg({ rules: [rule('^(A|B)$', '$1')] }),
      { units: 'groups' },
    );
    const under = new Map(d.teams.map((t) => [t.name, t.under]));
    expect(under.get(under.get('A') ?? '') === 'A' && under.get('A') !== undefined).toBe(false);
  });
});

describe('units from a path', () => {
  it('"Region/EMEA/Sales" is a unit under units created on the way; people keep only their own unit', () => {
    const d = mapDirectory(
      snap([p('a@x.com', ['emea-sales']), p('b@x.com', ['apac'])], [g('emea-sales'), g('apac')]),
      cfg({ groups: { 'emea-sales': 'Region/EMEA/Sales', apac: 'Region / APAC' } }),
      { units: 'path' },
    );
    expect(tree(d)).toEqual([
      'Region',
      'Region/APAC < Region',
      'Region/EMEA < Region',
      'Region/EMEA/Sales < Region/EMEA',
    ]);
    expect(d.teams.map((t) => t.name)).toEqual(['Region', 'APAC', 'EMEA', 'Sales']);
    expect(d.people.map((x) => x.teams)).toEqual([['Region/EMEA/Sales'], ['Region/APAC']]);
  });
});

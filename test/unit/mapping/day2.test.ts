import { describe, expect, it } from 'vitest';
import { mapDirectory } from '../../../src/mapping/index.js';
import { cfg, g, p, rule, snap } from './fixtures.js';

describe('mapDirectory: names that differ only in case', () => {
  const groups = [g('Data Team'), g('data team'), g('Sales')];
  const people = [p('a@x.com', ['Data Team']), p('b@x.com', ['data team']), p('c@x.com', ['Sales'])];

  it('merges them into one team on a target whose names ignore case, with a warning', () => {
    const d = mapDirectory(snap(people, groups), cfg({ rules: [rule('^(.+)$', '$1')] }), {
      caseInsensitiveNames: true,
    });

    expect(d.teams).toEqual([
      { name: 'Data Team', key: 'name:Data Team' },
      { name: 'Sales', key: 'group:id-Sales', group: 'Sales' },
    ]);
    expect(d.people.map((x) => x.teams)).toEqual([['Data Team'], ['Data Team'], ['Sales']]);
    expect(d.warnings.join('\n')).toMatch(
      /teams "Data Team", "data team" differ only in case .*merged into one team "Data Team"/,
    );
  });

  it('picks the same spelling whatever order the source lists the groups in', () => {
    const d = mapDirectory(snap(people, [...groups].reverse()), cfg({ rules: [rule('^(.+)$', '$1')] }), {
      caseInsensitiveNames: true,
    });

    expect(d.teams.map((t) => t.name)).toEqual(['Data Team', 'Sales']);
  });

  it('keeps them apart where the target tells names apart by case', () => {
    const d = mapDirectory(snap(people, groups), cfg({ rules: [rule('^(.+)$', '$1')] }));

    expect(d.teams.map((t) => t.name)).toEqual(['Data Team', 'Sales', 'data team']);
    expect(d.warnings).toEqual([]);
  });
});

describe('mapDirectory: a group named in mapping.groups that is missing', () => {
  it('keeps its team as a team whose group is gone (never created), with a warning', () => {
    const d = mapDirectory(
      snap([p('a@x.com', ['Sales'])], [g('Sales')]),
      cfg({ groups: { Sales: 'Sales', 'Data Team': 'Data' } }),
    );

    expect(d.teams).toEqual([
      { name: 'Data', key: 'name:Data', gone: 'Data Team' },
      { name: 'Sales', key: 'group:id-Sales', group: 'Sales' },
    ]);
    expect(d.warnings).toEqual([
      'group "Data Team" named in mapping.groups is not in the directory: team "Data" is managed as a team whose group is gone',
    ]);
  });

  it('only warns when other groups still produce the team', () => {
    const d = mapDirectory(
      snap([p('a@x.com', ['Sales'])], [g('Sales')]),
      cfg({ groups: { Sales: 'Sales', Gone: 'sales' } }),
      { caseInsensitiveNames: true },
    );

    expect(d.teams).toEqual([{ name: 'Sales', key: 'group:id-Sales', group: 'Sales' }]);
    expect(d.warnings).toEqual([
      'group "Gone" named in mapping.groups is not in the directory; team "sales" still comes from other groups',
    ]);
  });
});

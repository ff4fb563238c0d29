import { describe, expect, it } from 'vitest';
import { mapDirectory, tracePerson } from '../../../src/mapping/index.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { cfg, g, p, rule, snap } from './fixtures.js';

describe('tracePerson: one person through the mapping', () => {
  it('says someone is in scope exactly when mapDirectory keeps them, and names the groups of their teams', () => {
    const base = generateDirectory({
      people: 300,
      groups: 12,
      memberships: 350,
      nestingDepth: 3,
      seed: 7,
      disabledShare: 0.1,
    });
    // A taken email, an unusable one, an excluded one and a foreign domain among them.
    const s = snap(
      [
        ...base.people,
        { ...base.people[5]!, sourceId: 'p5-twin', email: base.people[5]!.email.toUpperCase() },
        { ...base.people[6]!, enabled: true, sourceId: 'p6-bad', email: 'bad name@example.com' },
        { ...base.people[8]!, enabled: true, sourceId: 'p8-none', email: 'none@example.com', groupIds: [] },
        { ...base.people[7]!, sourceId: 'p7-far', email: 'x@elsewhere.org' },
      ],
      base.groups,
    );
    const mapping = cfg({
      rules: [rule('^group-([0-7])$', 'team-$1')],
      roles: [{ match: '^group-1[01]$', role: 'Editor' }],
      people: { exclude: [base.people[9]!.email], emailDomains: ['example.com'] },
    });
    const desired = mapDirectory(s, mapping);
    const kept = new Map(desired.people.map((d) => [d.sourceId, d]));
    const reasons = new Set<string>();
    for (const person of s.people) {
      const t = tracePerson(s, mapping, {}, person.sourceId)!;
      expect(t.outOfScope === undefined, `${person.sourceId}: ${t.outOfScope}`).toBe(kept.has(person.sourceId));
      if (t.outOfScope) reasons.add(t.outOfScope.replace(/ \([^)]*\)| p\d+.*|"[^"]*"/g, ''));
      const d = kept.get(person.sourceId);
      if (d) expect(t.teams.map((x) => x.label).sort()).toEqual(d.teams);
    }
    expect([...reasons].sort()).toEqual([
      'disabled in the directory',
      'email domain  is not in mapping.people.emailDomains',
      'excluded by mapping.people.exclude',
      'no rule gives them a team or a role, and there is no default team',
      'no usable email',
      'same email as directory person',
    ]);
  });

  it('the default team, and direct membership only', () => {
    const s = snap([p('a@x.com', ['child']), p('b@x.com', ['misc'])], [g('child', 'parent'), g('parent'), g('misc')]);
    const m = cfg({ rules: [rule('^(child|parent)$', '$1')], defaultTeam: 'everyone' });
    expect(tracePerson(s, m, {}, 's-a@x.com')).toEqual({
      teams: [
        { label: 'child', groupIds: ['id-child'] },
        { label: 'parent', groupIds: ['id-parent'] },
      ],
    });
    expect(tracePerson(s, m, { directMembership: true }, 's-a@x.com')!.teams).toEqual([
      { label: 'child', groupIds: ['id-child'] },
    ]);
    expect(tracePerson(s, m, {}, 's-b@x.com')).toEqual({ teams: [], default: 'everyone' });
    expect(tracePerson(s, m, {}, 'nobody')).toBeUndefined();
  });

  it('says someone placed only by rules on attributes or conditions is in scope, as mapDirectory does', () => {
    const s = snap(
      [
        p('dept@x.com', [], { attributes: { department: ['Sales'] } }),
        p('role@x.com', [], { attributes: { title: ['Head of Sales'] } }),
        p('cond@x.com', ['bi-users'], { attributes: { department: ['Finance'] } }),
        p('none@x.com', [], { attributes: { department: [] } }),
      ],
      [g('bi-users')],
    );
    const m = cfg({
      rules: [
        { attribute: 'department', match: '^Sales$', team: '${value}' },
        { where: [{ memberOf: 'bi-users' }, { attribute: 'department', equals: 'Finance' }], team: 'Finance analysts' },
      ],
      roles: [{ attribute: 'title', match: '^Head of', role: 'Admin' }],
    });
    const kept = new Set(mapDirectory(s, m).people.map((d) => d.email));
    expect([...kept].sort()).toEqual(['cond@x.com', 'dept@x.com', 'role@x.com']);
    for (const person of s.people) {
      const t = tracePerson(s, m, {}, person.sourceId)!;
      expect(t.outOfScope === undefined, `${person.email}: ${t.outOfScope}`).toBe(kept.has(person.email));
    }
    expect(tracePerson(s, m, {}, 's-dept@x.com')!.teams.map((t) => t.label)).toEqual(['Sales']);
    expect(tracePerson(s, m, {}, 's-cond@x.com')!.teams.map((t) => t.label)).toEqual(['Finance analysts']);
  });
});

import { describe, expect, it } from 'vitest';
import { assembleExplanation, type ExplainInput } from '../../../src/app/explain-person.js';
import type { AuditEntry } from '../../../src/audit/audit-event.js';
import { renderExplanationText } from '../../../src/cli/explain.js';
import { renderExplanationHtml } from '../../../src/daemon/explain-page.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import type { RunView } from '../../../src/store/run-record.js';
import { cfg, g, p, rule, snap } from '../mapping/fixtures.js';
import { actual, input } from '../plan/builders.js';

const mapping = cfg({
  rules: [rule('^(eng|all-staff)$', '$1')],
  roles: [{ group: 'admins', role: 'Admin' }],
  people: { exclude: ['dan@corp.com'] },
});
const snapshot = snap(
  [
    p('Ann@Corp.com', ['eng', 'admins'], { givenName: 'Ann', familyName: 'Lee' }),
    p('bob@corp.com', ['eng'], { enabled: false }),
    p('cy@corp.com', ['misc']),
    p('dan@corp.com', ['eng']),
  ],
  [g('eng', 'all-staff'), g('all-staff'), g('admins'), g('misc')],
);
const desired = mapDirectory(snapshot, mapping);
const target = actual({ eng: ['ann@corp.com', 'gone@corp.com'] });
const { plan } = makePlan(input(desired, target, { policy: { deprovision: 'delete-user' } }));

const run: RunView = {
  runId: 'hr-20261201-030000-abc123',
  profile: 'hr',
  trigger: 'schedule',
  mode: 'full',
  status: 'succeeded',
  startedAt: '2026-12-01T03:00:00.000Z',
  planned: {},
  totalOps: 1,
  warnings: 0,
  counts: {},
  failures: [],
} as unknown as RunView;
const joined: AuditEntry = {
  action: 'membership.add',
  person: 'ann@corp.com',
  object: { type: 'team', name: 'eng' },
  before: 'not a member',
  after: 'member',
  reason: 'member of eng',
  at: '2026-12-01T03:00:02.000Z',
  opKey: 'addMember:x',
  outcome: 'applied',
};

const explain = (email: string, over: Partial<ExplainInput> = {}) =>
  assembleExplanation({
    email,
    profile: 'hr',
    target: { name: 'default', kind: 'chartio' },
    mapping,
    mapOptions: {},
    snapshot,
    desired,
    actual: target,
    plan,
    history: [],
    runsSearched: 0,
    ...over,
  });

describe('explain: one person step by step', () => {
  it('a person in scope: groups direct and through nesting, each team and role with its reason, the ops, the history', () => {
    const x = explain('ann@CORP.com', { history: [{ run, entries: [joined] }], runsSearched: 3 });
    expect(x.found).toEqual({ directory: true, target: true });
    expect(x.steps.source).toMatchObject({
      found: true,
      sourceId: 's-ann@corp.com',
      enabled: true,
      attributes: { displayName: 'Ann@Corp.com', givenName: 'Ann', familyName: 'Lee' },
      directGroups: [
        { id: 'id-eng', name: 'eng' },
        { id: 'id-admins', name: 'admins' },
      ],
      inheritedGroups: [{ id: 'id-all-staff', name: 'all-staff', via: ['eng'] }],
    });
    expect(x.steps.scope.inScope).toBe(true);
    expect(x.steps.mapping.teams).toEqual([
      { name: 'all-staff', type: 'team', reason: 'member of all-staff through eng' },
      { name: 'eng', type: 'team', reason: 'member of eng' },
    ]);
    expect(x.steps.mapping.roles).toEqual([{ scope: '', role: 'Admin', reason: 'member of admins' }]);
    expect(x.steps.target).toMatchObject({ found: true, id: 'u-ann@corp.com', teams: [{ name: 'eng' }] });
    expect(x.steps.plan.ops.map((o) => o.kind)).toEqual(['addMember']);
    expect(x.steps.plan.ops[0]!.changes).toEqual([expect.stringMatching(/joins "all-staff"/)]);
    expect(x.steps.history).toEqual({
      runsSearched: 3,
      changes: [
        {
          runId: run.runId,
          runStartedAt: run.startedAt,
          runStatus: 'succeeded',
          at: joined.at,
          outcome: 'applied',
          text: 'ann@corp.com: joins "eng": member of eng',
        },
      ],
    });
    const text = renderExplanationText(x);
    expect(text).toMatch(/inherited\s+all-staff \(via eng\)/);
    expect(text).toMatch(/IN SCOPE/);
    expect(text).toMatch(/Admin: member of admins/);
    expect(text).toMatch(/hr-20261201-030000-abc123 \(succeeded\)\s+ann@corp.com: joins "eng"/);
  });

  it('out of scope, each with why: disabled, excluded, no mapped group', () => {
    const why = (email: string) => explain(email).steps.scope;
    expect(why('bob@corp.com')).toEqual({
      inScope: false,
      reason: expect.stringMatching(/^disabled in the directory/),
    });
    expect(why('dan@corp.com')).toEqual({ inScope: false, reason: 'excluded by mapping.people.exclude' });
    expect(why('cy@corp.com')).toEqual({
      inScope: false,
      reason: expect.stringMatching(/gives them a team or a role/),
    });
    expect(explain('bob@corp.com').steps.mapping).toEqual({ teams: [], roles: [], note: expect.any(String) });
    const narrow = cfg({ ...mapping, people: { emailDomains: ['example.com'] } });
    const domains = explain('ann@corp.com', { mapping: narrow, desired: mapDirectory(snapshot, narrow) });
    expect(domains.steps.scope.reason).toMatch(/email domain "corp.com" is not in mapping.people.emailDomains/);
  });

  it('two directory people with one email: the one synced is explained, the other named', () => {
    const twice = snap([...snapshot.people, p('ann@corp.com', ['eng'], { sourceId: 's-zz' })], snapshot.groups);
    const x = explain('ann@corp.com', { snapshot: twice, desired: mapDirectory(twice, mapping) });
    expect(x.steps.source).toMatchObject({ sourceId: 's-ann@corp.com', sameEmail: ['s-zz'] });
    expect(x.steps.scope.inScope).toBe(true);
  });

  it('someone only in the target: not in the directory, the target side and the deprovisioning op', () => {
    const x = explain('GONE@corp.com');
    expect(x.found).toEqual({ directory: false, target: true });
    expect(x.steps.source.found).toBe(false);
    expect(x.steps.scope).toEqual({ inScope: false, reason: expect.stringMatching(/^not in the directory/) });
    expect(x.steps.target).toMatchObject({ found: true, email: 'gone@corp.com' });
    expect(x.steps.plan.ops.map((o) => o.kind)).toEqual(['deleteUser']);
    expect(x.steps.history.note).toBe('no recorded run changed this person');
    // Where the policy keeps the account, the plan's warning about them says why nothing happens.
    const kept = explain('gone@corp.com', { plan: makePlan(input(desired, target)).plan });
    expect(kept.steps.plan.ops).toEqual([]);
    expect(kept.steps.plan.warnings).toEqual([expect.stringMatching(/^gone@corp.com is no longer in the directory/)]);
    expect(renderExplanationText(kept)).toMatch(/warning: gone@corp.com is no longer in the directory/);
  });

  it('unknown everywhere: says so, in text and HTML (escaped)', () => {
    const x = explain('<nobody>@corp.com');
    expect(x.found).toEqual({ directory: false, target: false });
    expect(renderExplanationText(x)).toMatch(/Not found in the directory nor the target/);
    const html = renderExplanationHtml(x);
    expect(html).toContain('&lt;nobody&gt;@corp.com');
    expect(html).not.toContain('<nobody>');
    expect(html).toMatch(/Not found in the directory nor the target/);
    expect(renderExplanationHtml(explain('ann@corp.com'))).toMatch(/member of all-staff through eng/);
  });
});

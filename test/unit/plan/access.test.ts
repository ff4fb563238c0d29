import { describe, expect, it } from 'vitest';
import { accessRuleSchema } from '../../../src/config/access-schema.js';
import { compileAccess } from '../../../src/mapping/access-rules.js';
import type { Actual, Grant, TargetResource } from '../../../src/model/index.js';
import { changesOf, describeChange } from '../../../src/plan/changes.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import { describeOp } from '../../../src/plan/render.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';
import { actual, desired, input, line } from './builders.js';

const rules = (...r: unknown[]) => compileAccess(r.map((x) => accessRuleSchema.parse(x)));
const team = (name: string, level: string, permissionId?: string): Grant => ({
  subject: { kind: 'team', id: `t-${name}` },
  level,
  ...(permissionId ? { permissionId } : {}),
});
const user = (id: string, level: string): Grant => ({ subject: { kind: 'user', id }, level });
const dash = (id: string, title: string, grants: Grant[] = []): TargetResource => ({
  type: 'dashboard',
  id,
  title,
  grants,
});

const people = desired({ 'a@corp.com': ['Sales', 'Dept Finance'], 'b@corp.com': ['Dept Sales'] });
const withResources = (resources: TargetResource[], teams = actual({ Sales: ['a@corp.com'] })): Actual => ({
  ...teams,
  resources,
});
const ops = (r: ReturnType<typeof makePlan>) => r.plan.phases.flat().map(line);

describe('access plans: managed teams get the declared levels on the resources the rules reach', () => {
  it('grants a new team (after its creation) and an existing one, and names the rule', () => {
    const r = makePlan(
      input(people, withResources([dash('1', 'Pipeline'), dash('2', 'HR')]), {
        access: rules({ teams: ['Sales', 'Dept Sales'], level: 'viewer', dashboards: ['Pipeline'] }),
      }),
    );
    expect(ops(r).filter((l) => l.includes('Grant'))).toEqual(
      ['setGrant Dept Sales dashboard:Pipeline=viewer', 'setGrant Sales dashboard:Pipeline=viewer'].sort((a, b) =>
        a < b ? -1 : 1,
      ),
    );
    const newTeam = r.plan.phases.flat().find((o) => o.kind === 'setGrant' && o.team.name === 'Dept Sales')!;
    const create = r.plan.phases.flat().find((o) => o.kind === 'createTeam' && o.team.name === 'Dept Sales')!;
    expect(newTeam.dependsOn).toEqual([create.key]);
    expect(newTeam.reason).toBe('access rule 1 gives "Dept Sales" viewer on dashboards "Pipeline"');
    expect(describeOp(newTeam)).toBe('"Dept Sales": viewer on dashboard "Pipeline"');
    expect(changesOf(newTeam).map(describeChange)).toEqual([
      'Dept Sales: viewer on dashboard "Pipeline": access rule 1 gives "Dept Sales" viewer on dashboards "Pipeline"',
    ]);
  });

  it('a captured name picks each team its own resource; a pattern matching nothing is a warning', () => {
    const r = makePlan(
      input(people, withResources([dash('1', 'Sales - Pipeline'), dash('2', 'Finance - Costs')]), {
        access: rules(
          { teams: '/^Dept (?<dept>.+)$/', level: 'editor', dashboards: ['/^${dept} - /'] },
          { teams: 'Sales', level: 'viewer', dashboards: ['Nothing like this'] },
        ),
      }),
    );
    expect(
      ops(r)
        .filter((l) => l.includes('Grant'))
        .sort(),
    ).toEqual([
      'setGrant Dept Finance dashboard:Finance - Costs=editor',
      'setGrant Dept Sales dashboard:Sales - Pipeline=editor',
    ]);
    expect(r.plan.warnings).toContain('access rule 2: dashboards "Nothing like this" match no dashboard');
  });

  it('authoritative narrows a widened grant and removes an undeclared one; user and unmanaged grants stay', () => {
    const res = [
      dash('1', 'Pipeline', [team('Sales', 'admin', '11'), user('u-x', 'admin'), team('Owners', 'admin', '12')]),
      dash('2', 'HR', [team('Sales', 'viewer', '13')]),
    ];
    const access = rules({ teams: 'Sales', level: 'viewer', dashboards: ['Pipeline', 'HR'] });
    // HR is reached (by rule) but the Sales rule is the same: make HR undeclared with a narrower rule.
    const narrow = rules(
      { teams: 'Sales', level: 'viewer', dashboards: ['Pipeline'] },
      { teams: 'Nobody', level: 'viewer', dashboards: ['HR'] },
    );
    const r = makePlan(input(people, withResources(res), { access: narrow }));
    expect(
      ops(r)
        .filter((l) => l.includes('Grant'))
        .sort(),
    ).toEqual(['removeGrant Sales dashboard:HR (was viewer)', 'setGrant Sales dashboard:Pipeline=viewer (was admin)']);
    const removal = r.plan.phases.flat().find((o) => o.kind === 'removeGrant')!;
    expect(removal.kind === 'removeGrant' && removal.permissionId).toBe('13');
    expect(removal.reason).toBe(
      'no access rule gives "Sales" a level on dashboard "HR" (policy.access: authoritative)',
    );
    // Additive: nothing narrowed, nothing removed.
    const add = makePlan(input(people, withResources(res), { access: narrow, policy: { access: 'additive' } }));
    expect(ops(add).filter((l) => l.includes('Grant'))).toEqual([]);
    // The same rules twice: a second plan against the end state is empty.
    const done = makePlan(
      input(
        people,
        withResources([dash('1', 'Pipeline', [team('Sales', 'viewer')]), dash('2', 'HR', [team('Sales', 'viewer')])]),
        {
          access,
        },
      ),
    );
    expect(ops(done).filter((l) => l.includes('Grant'))).toEqual([]);
  });

  it('a ${name} entry manages every resource of its shape; a gone team loses what its rules reached', () => {
    const access = rules({ teams: '/^Dept (?<dept>.+)$/', level: 'viewer', dashboards: ['${dept} - *'] });
    // "Legal - Contracts" has the rule's shape: Dept Sales's hand-made grant there is not declared.
    const res = [dash('1', 'Sales - Pipeline'), dash('2', 'Legal - Contracts', [team('Dept Sales', 'viewer')])];
    const r = makePlan(input(people, withResources(res, actual({ 'Dept Sales': ['b@corp.com'] })), { access }));
    expect(
      ops(r)
        .filter((l) => l.includes('Grant'))
        .sort(),
    ).toEqual([
      'removeGrant Dept Sales dashboard:Legal - Contracts (was viewer)',
      'setGrant Dept Sales dashboard:Sales - Pipeline=viewer',
    ]);
    // Dept Legal's group is gone (a linked team the mapping no longer makes): its grant on its board goes.
    const gone = makePlan(
      input(
        people,
        withResources([dash('3', 'Legal - Contracts', [team('Dept Legal', 'viewer')])], actual({ 'Dept Legal': [] })),
        {
          access,
          links: { users: new Map(), teams: new Map([['group:legal', 't-Dept Legal']]), granted: new Set() },
        },
      ),
    );
    const removal = gone.plan.phases.flat().find((o) => o.kind === 'removeGrant');
    expect(removal && line(removal)).toBe('removeGrant Dept Legal dashboard:Legal - Contracts (was viewer)');
    expect(removal?.reason).toBe('the group of "Dept Legal" is gone: its grants go');
  });

  it('the highest of several rules wins; additive raises a lower level', () => {
    const access = rules(
      { teams: 'Sales', level: 'viewer', dashboards: ['/Pipe/'] },
      { teams: '/^Sal/', level: 'editor', dashboards: ['Pipeline'] },
    );
    const r = makePlan(
      input(people, withResources([dash('1', 'Pipeline', [team('Sales', 'viewer')])]), {
        access,
        policy: { access: 'additive' },
      }),
    );
    expect(ops(r).filter((l) => l.includes('Grant'))).toEqual([
      'setGrant Sales dashboard:Pipeline=editor (was viewer)',
    ]);
  });

  it('refuses to go over 100 permissions on a resource, naming it; its other changes still go', () => {
    const full = Array.from({ length: 100 }, (_, i) => user(`u${i}`, 'viewer'));
    const r = makePlan(
      input(people, withResources([dash('7', 'Pipeline', full)]), {
        access: rules({ teams: ['Sales', 'Dept Sales'], level: 'viewer', dashboards: ['Pipeline'] }),
      }),
    );
    expect(ops(r).filter((l) => l.includes('Grant'))).toEqual([]);
    expect(r.plan.warnings.join('\n')).toContain(
      'access: dashboard "Pipeline" (id 7) would hold 102 permissions; the target allows 100 per dashboard: its 2 new grant(s) are left out',
    );
  });

  it('an unreadable resource is left alone with a warning', () => {
    const r = makePlan(
      input(people, withResources([{ ...dash('1', 'Pipeline'), unreadable: 'GET -> 500' }]), {
        access: rules({ teams: 'Sales', level: 'viewer', dashboards: ['Pipeline'] }),
      }),
    );
    expect(ops(r).filter((l) => l.includes('Grant'))).toEqual([]);
    expect(r.plan.warnings).toContain(
      'access: dashboard "Pipeline" left as it is: its permissions could not be read (GET -> 500)',
    );
  });

  it('removing more grants than policy.maxGrantRemovals blocks the run', () => {
    const res = Array.from({ length: 4 }, (_, i) => dash(String(i), `D${i}`, [team('Sales', 'viewer')]));
    const access = rules({ teams: 'Nobody', level: 'viewer', dashboards: ['/^D/'] });
    const r = makePlan(input(people, withResources(res), { access, policy: { maxGrantRemovals: 3 } }));
    expect(r.plan.blocked?.code).toBe('TOO_MANY_GRANT_REMOVALS');
    expect(r.plan.blocked?.reason).toContain(
      '4 grants of managed teams would be removed, over policy.maxGrantRemovals=3',
    );
    const allowed = makePlan(
      input(people, withResources(res), { access, policy: { maxGrantRemovals: 3 }, allowGrantRemovals: 4 }),
    );
    expect(allowed.plan.blocked).toBeUndefined();
  });

  it('a whole-list target gets one write per resource carrying every grant it does not own as read', () => {
    const caps = { ...CHARTIO_CAPABILITIES, access: { ...CHARTIO_CAPABILITIES.access!, write: 'whole-list' as const } };
    const kept = [
      user('u-x', 'admin'),
      team('Owners', 'editor'),
      { subject: { kind: 'role' as const, id: 'Viewer' }, level: 'viewer' },
    ];
    const r = makePlan(
      input(people, withResources([dash('1', 'Pipeline', [...kept, team('Sales', 'admin')])]), {
        capabilities: caps,
        access: rules({ teams: ['Sales', 'Dept Sales'], level: 'viewer', dashboards: ['Pipeline'] }),
      }),
    );
    const writes = r.plan.phases.flat().filter((o) => o.kind === 'setGrants');
    expect(writes).toHaveLength(1);
    const w = writes[0]!;
    if (w.kind !== 'setGrants') throw new Error('not a whole-list write');
    expect(w.kept).toEqual(kept);
    expect(w.teams.map((t) => `${t.team.name}=${t.level}`).sort()).toEqual(['Dept Sales=viewer', 'Sales=viewer']);
    expect(w.changes.map((c) => `${c.action} ${c.team}`).sort()).toEqual([
      'grant.add Dept Sales',
      'grant.change Sales',
    ]);
    expect(w.dependsOn).toHaveLength(1);
  });

  it('a * in a plain title is any text: "Sales - *" covers a board made tomorrow', () => {
    const a = rules({ teams: '/^Dept (?<dept>.+)$/', level: 'viewer', dashboards: ['${dept} - *'] });
    expect(a.reaches({ type: 'dashboard', id: '1', title: 'Sales - Forecast' })).toBe(true);
    expect(a.reaches({ type: 'dashboard', id: '2', title: 'Sales overview' })).toBe(false);
    const sales = a.forTeam('Dept Sales')[0]!;
    expect(sales.matches({ type: 'dashboard', id: '1', title: 'Sales - Forecast' })).toBe(true);
    expect(sales.matches({ type: 'dashboard', id: '3', title: 'Finance - Costs' })).toBe(false);
    expect(sales.entry).toBe('"Sales - *"');
  });

  it('the read scope: types named, resources any team could reach (a captured name stands for any text)', () => {
    const a = rules(
      { teams: '/^Dept (?<dept>.+)$/', level: 'viewer', dashboards: ['${dept} - Overview'] },
      { teams: 'Sales', level: 'editor', datasources: [{ id: 3 }] },
    );
    expect(a.types).toEqual(['dashboard', 'datasource']);
    expect(a.reaches({ type: 'dashboard', id: '1', title: 'Sales - Overview' })).toBe(true);
    expect(a.reaches({ type: 'dashboard', id: '2', title: 'Sales - Details' })).toBe(false);
    expect(a.reaches({ type: 'datasource', id: '3', title: 'Warehouse' })).toBe(true);
    expect(a.reaches({ type: 'datasource', id: '4', title: 'Warehouse' })).toBe(false);
  });

  it('config errors name the entry: a bad regex, a capture the team pattern lacks, no resource list', () => {
    const bad = (x: unknown) =>
      accessRuleSchema.safeParse(x).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(bad({ teams: 'A', level: 'viewer', dashboards: ['/(/'] })?.[0]).toMatch(
      /^dashboards\.0: not a valid \/regex\//,
    );
    expect(bad({ teams: '/^Dept (.+)$/', level: 'viewer', folders: ['${dept}'] })).toEqual([
      'folders.0: uses ${dept} but no team pattern of this rule has a group named "dept" (teams: /(?<dept>...)/)',
    ]);
    expect(bad({ teams: 'A', level: 'viewer' })).toEqual([': name at least one of dashboards, datasources or folders']);
  });
});

import { describe, expect, it } from 'vitest';
import { mappingSchema } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { AccountName, Desired, Op, Snapshot } from '../../../src/model/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import { scimCapabilities, scimTargetSchema } from '../../../src/targets/scim/index.js';
import { actual, desired, input } from './builders.js';

/** userName from a source attribute (`userName: { attribute: login }`): mapped, created, changed in place. */
const caps = scimCapabilities(
  scimTargetSchema.parse({
    kind: 'scim',
    baseUrl: 'https://app.example.com',
    token: 't',
    userName: { attribute: 'login' },
    memberships: 'per-member',
  }),
);

/** Desired people with account names (`undefined`: the person lacks the attribute). */
function withNames(d: Desired, names: Record<string, string | undefined>): Desired {
  return {
    ...d,
    people: d.people.map((p) => {
      const accountName: AccountName =
        names[p.email] === undefined ? { attribute: 'login' } : { attribute: 'login', value: names[p.email]! };
      return { ...p, accountName };
    }),
  };
}

/** The read users' userNames (the reader's TargetUser.accountName). */
function withReadNames(a: ReturnType<typeof actual>, names: Record<string, string>) {
  return {
    ...a,
    users: a.users.map((u) => (names[u.email] !== undefined ? { ...u, accountName: names[u.email]! } : u)),
  };
}

const linked = (...emails: string[]) => ({
  users: new Map(emails.map((e) => [`s-${e}`, `u-${e}`])),
  teams: new Map([['name:Eng', 't-Eng']]),
  granted: new Set<string>(),
});

const plan = (d: Desired, a: ReturnType<typeof actual>, links = linked()) =>
  makePlan(input(d, a, { capabilities: caps, links })).plan;
const ops = (p: ReturnType<typeof plan>): Op[] => p.phases.flat();

/** A directory person in group g with these attributes. */
const member = (sourceId: string, email: string, attributes: Record<string, string[]>) => ({
  sourceId,
  email,
  displayName: email[0]!.toUpperCase(),
  enabled: true,
  groupIds: ['g'],
  attributes,
});

describe('scim account names from a source attribute: mapping', () => {
  it("puts the attribute's first value on each person; a person without it gets the attribute alone", () => {
    const snapshot: Snapshot = {
      people: [member('1', 'a@corp.com', { login: ['ann', 'a2'] }), member('2', 'b@corp.com', { dept: ['x'] })],
      groups: [{ sourceId: 'g', name: 'Eng', parentIds: [] }],
      issues: [],
    } as Snapshot;

    const d = mapDirectory(snapshot, mappingSchema.parse({ rules: [{ match: '^(.+)$', team: '$1' }] }), {
      accountName: 'login',
    });

    expect(d.people.map((p) => [p.email, p.accountName])).toEqual([
      ['a@corp.com', { attribute: 'login', value: 'ann' }],
      ['b@corp.com', { attribute: 'login' }],
    ]);
  });

  it('without the option, people carry no account name', () => {
    const snapshot = {
      people: [member('1', 'a@corp.com', { login: ['ann'] })],
      groups: [{ sourceId: 'g', name: 'Eng', parentIds: [] }],
      issues: [],
    } as Snapshot;

    const d = mapDirectory(snapshot, mappingSchema.parse({ rules: [{ match: '^(.+)$', team: '$1' }] }));

    expect(d.people[0]!.accountName).toBeUndefined();
  });
});

describe('scim account names from a source attribute: planning', () => {
  it('a new person is created with the account name on the create', () => {
    const p = plan(withNames(desired({ 'a@corp.com': ['Eng'] }), { 'a@corp.com': 'ann' }), actual({ Eng: [] }));

    const create = ops(p).find((o) => o.kind === 'createUser');
    expect(create?.user).toEqual({ sourceId: 's-a@corp.com', email: 'a@corp.com', accountName: 'ann' });
  });

  it('a new person without the attribute: a warning naming the person and the attribute, and no account', () => {
    const p = plan(
      withNames(desired({ 'a@corp.com': ['Eng'], 'b@corp.com': ['Eng'] }), { 'a@corp.com': 'ann' }),
      actual({ Eng: [] }),
    );

    expect(
      ops(p)
        .filter((o) => o.kind === 'createUser' || o.kind === 'addMember')
        .map((o) => o.user.email),
    ).toEqual(['a@corp.com', 'a@corp.com']);
    expect(p.warnings).toContain(
      `b@corp.com: no value for "login", which the target's account name comes from: no account made`,
    );
  });

  it('a changed value is one in-place update of the same account, with its before and after', () => {
    const p = plan(
      withNames(desired({ 'a@corp.com': ['Eng'] }), { 'a@corp.com': 'ann.lee' }),
      withReadNames(actual({ Eng: ['a@corp.com'] }), { 'a@corp.com': 'ann' }),
      linked('a@corp.com'),
    );

    // The builders' accounts have no first name read: their names write is set aside here.
    const writes = ops(p).filter((o) => o.kind !== 'setUser' || o.givenName === undefined);
    expect(writes).toHaveLength(1);
    const op = writes[0]!;
    expect(op.kind).toBe('setUser');
    expect(op.key).toMatch(/^user-name\..+\.account$/);
    expect(op.kind === 'setUser' && op.user).toEqual({
      id: 'u-a@corp.com',
      sourceId: 's-a@corp.com',
      email: 'a@corp.com',
      accountName: 'ann.lee',
    });
    expect(op.kind === 'setUser' && op.changes).toEqual([
      expect.objectContaining({ action: 'user.update', before: 'ann', after: 'ann.lee' }),
    ]);
    expect(op.reason).toBe('account name "ann" -> "ann.lee" (login in the directory)');
  });

  it('the same value in another case, or a target that reads no account names: nothing', () => {
    const d = withNames(desired({ 'a@corp.com': ['Eng'] }), { 'a@corp.com': 'Ann' });
    const same = plan(d, withReadNames(actual({ Eng: ['a@corp.com'] }), { 'a@corp.com': 'ann' }), linked('a@corp.com'));
    const unread = plan(d, actual({ Eng: ['a@corp.com'] }), linked('a@corp.com'));

    expect(ops(same).filter((o) => o.key.endsWith('.account'))).toEqual([]);
    expect(ops(unread).filter((o) => o.key.endsWith('.account'))).toEqual([]);
  });

  it('an existing account whose person lost the attribute keeps its name, with a warning', () => {
    const p = plan(
      withNames(desired({ 'a@corp.com': ['Eng'] }), {}),
      withReadNames(actual({ Eng: ['a@corp.com'] }), { 'a@corp.com': 'ann' }),
      linked('a@corp.com'),
    );

    expect(ops(p).filter((o) => o.key.endsWith('.account'))).toEqual([]);
    expect(p.warnings).toContain(
      `a@corp.com: no value for "login", which the target's account name comes from: user u-a@corp.com keeps "ann"`,
    );
  });
});

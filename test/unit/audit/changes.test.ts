import { describe, expect, it } from 'vitest';
import type { Actual, Op, TargetUser } from '../../../src/model/index.js';
import { changesOf, describeChange } from '../../../src/plan/changes.js';
import { toWholeContainers } from '../../../src/plan/whole-container.js';
import { toWholeUsers } from '../../../src/plan/whole-user.js';
import { describeEntry } from '../../../src/audit/describe-entry.js';

const org = { id: '1', name: 'Main Org', type: 'org' as const };
const li = { id: 'u1', email: 'f.li@example.com' };

describe('changes of an op, per person and object', () => {
  it('says a role change in words: who, before -> after, where, why', () => {
    const op: Op = {
      kind: 'setRole',
      key: 'role.u1',
      user: li,
      team: org,
      from: ['Viewer'],
      to: ['Admin'],
      dependsOn: [],
      reason: 'member of BI Admins',
    };
    const [c] = changesOf(op);
    expect(c).toEqual({
      action: 'role.change',
      person: 'f.li@example.com',
      object: { type: 'org', name: 'Main Org', id: '1' },
      before: 'Viewer',
      after: 'Admin',
      reason: 'member of BI Admins',
    });
    expect(describeChange(c!)).toBe('f.li@example.com: Viewer -> Admin in org "Main Org": member of BI Admins');
  });

  it('a new user created in a team is two changes: the account and the membership', () => {
    const op: Op = {
      kind: 'createUser',
      key: 'user.p1',
      user: { sourceId: 'p1', email: 'a@example.com' },
      displayName: 'A',
      team: { name: 'Analysts', parent: org },
      role: 'Viewer',
      dependsOn: [],
      reason: 'in the directory, not in the target',
    };
    expect(changesOf(op).map((c) => [c.action, c.object.name, c.object.org])).toEqual([
      ['user.create', 'a@example.com', undefined],
      ['membership.add', 'Analysts', 'Main Org'],
    ]);
  });

  it('a whole-list write keeps who joins and who leaves, with each one’s own reason', () => {
    const users: TargetUser[] = [
      { id: 'u1', email: 'f.li@example.com', teamIds: ['t1'] } as TargetUser,
      { id: 'u2', email: 'gone@example.com', teamIds: ['t1'] } as TargetUser,
      { id: 'u3', email: 'stays@example.com', teamIds: ['t1'] } as TargetUser,
    ];
    const actual = {
      users,
      teams: [{ id: 't1', name: 'Analysts', memberIds: ['u1', 'u2', 'u3'] }],
    } as unknown as Actual;
    const team = { id: 't1', name: 'Analysts' };
    const ops: Op[] = [
      { kind: 'removeMember', key: 'rm.u1', user: li, team, dependsOn: [], reason: 'left group Analysts' },
      {
        kind: 'deleteUser',
        key: 'del.u2',
        user: { id: 'u2', email: 'gone@example.com' },
        dependsOn: [],
        reason: 'gone',
      },
      {
        kind: 'addMember',
        key: 'add.u4',
        user: { id: 'u4', email: 'new@example.com' },
        team,
        dependsOn: [],
        reason: 'directory puts new@example.com in "Analysts"',
      },
    ];
    const folded = toWholeContainers(ops, actual, new Map(users.map((u) => [u.id, u])));
    const set = folded.find((o) => o.kind === 'setMembers')!;
    expect(changesOf(set).map((c) => `${c.action} ${c.person}: ${c.reason}`)).toEqual([
      'membership.add new@example.com: directory puts new@example.com in "Analysts"',
      'membership.remove f.li@example.com: left group Analysts',
      'membership.remove gone@example.com: leaves the org or is deleted',
    ]);
  });

  it('a whole-user write keeps each folded change', () => {
    const users = [{ id: 'u1', email: 'f.li@example.com', teamIds: ['t1'] } as TargetUser];
    const actual = {
      users,
      teams: [
        { id: 't1', name: 'Sales' },
        { id: 't2', name: 'Finance' },
      ],
    } as unknown as Actual;
    const ops: Op[] = [
      {
        kind: 'addMember',
        key: 'a',
        user: li,
        team: { id: 't2', name: 'Finance' },
        dependsOn: [],
        reason: 'in Finance',
      },
      {
        kind: 'removeMember',
        key: 'r',
        user: li,
        team: { id: 't1', name: 'Sales' },
        dependsOn: [],
        reason: 'left Sales',
      },
      { kind: 'setRole', key: 's', user: li, from: ['user'], to: ['admin'], dependsOn: [], reason: 'BI Admins' },
    ];
    const [set] = toWholeUsers(ops, actual);
    expect(set!.kind).toBe('setUser');
    expect(changesOf(set!).map(describeChange)).toEqual([
      'f.li@example.com: joins "Finance": in Finance',
      'f.li@example.com: leaves "Sales": left Sales',
      'f.li@example.com: user -> admin: BI Admins',
    ]);
  });

  it('an entry in words says how it ended when it did not apply, and a decision says who', () => {
    const [c] = changesOf({ kind: 'deleteUser', key: 'd', user: li, dependsOn: [], reason: 'left the company' });
    expect(describeEntry({ ...c!, at: 'now', opKey: 'd', outcome: 'failed', detail: '403 forbidden' })).toBe(
      'f.li@example.com: deleted: left the company [failed: 403 forbidden]',
    );
    expect(describeEntry({ at: 'now', action: 'run.approve', by: 'ana', reason: 'applying its 3 ops' })).toBe(
      'run approved by ana: applying its 3 ops',
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { Actual, Op } from '../../../src/model/index.js';
import { readBack } from '../../../src/queue/verify-op.js';

const actual: Actual = {
  users: [
    { id: 'u1', email: 'Ann@Example.com', displayName: 'Ann', teamIds: ['t1'], roles: { o1: ['Editor'] } },
    { id: 'u2', email: 'bob@example.com', displayName: 'Bob', teamIds: [] },
  ],
  teams: [
    { id: 't1', name: 'Sales', memberIds: ['u1'] },
    { id: 't2', name: 'Ops', memberIds: [] },
  ],
};
const base = { key: 'k', reason: 'r', dependsOn: [] };

describe('readBack after an unreadable answer', () => {
  it.each<[string, Op, ReturnType<typeof readBack>]>([
    [
      'created team found by name',
      { ...base, kind: 'createTeam', team: { name: 'sales' }, teamKey: 'g1' },
      { status: 'already-done', createdId: 't1', detail: expect.any(String) },
    ],
    ['created team missing', { ...base, kind: 'createTeam', team: { name: 'Finance' }, teamKey: 'g9' }, undefined],
    [
      'created user found by email',
      {
        ...base,
        kind: 'createUser',
        user: { email: ' ann@example.com' },
        displayName: 'Ann',
        team: { id: 't1', name: 'Sales' },
      },
      { status: 'already-done', createdId: 'u1', detail: expect.any(String) },
    ],
    [
      'created user missing',
      { ...base, kind: 'createUser', user: { email: 'cy@example.com' }, displayName: 'Cy' },
      undefined,
    ],
    [
      'added member present',
      { ...base, kind: 'addMember', user: { email: 'ann@example.com' }, team: { id: 't1', name: 'Sales' } },
      { status: 'already-done', detail: expect.any(String) },
    ],
    [
      'added member absent',
      { ...base, kind: 'addMember', user: { id: 'u2', email: 'bob@example.com' }, team: { id: 't1', name: 'Sales' } },
      undefined,
    ],
    [
      'removed member gone',
      {
        ...base,
        kind: 'removeMember',
        user: { id: 'u2', email: 'bob@example.com' },
        team: { id: 't1', name: 'Sales' },
      },
      { status: 'already-done', detail: expect.any(String) },
    ],
    [
      'removed member still there',
      {
        ...base,
        kind: 'removeMember',
        user: { id: 'u1', email: 'ann@example.com' },
        team: { id: 't1', name: 'Sales' },
      },
      undefined,
    ],
    [
      'whole list matches',
      {
        ...base,
        kind: 'setMembers',
        team: { id: 't1', name: 'Sales' },
        members: [{ email: 'ann@example.com' }],
        added: 1,
        removed: 0,
      },
      { status: 'already-done', detail: expect.any(String) },
    ],
    [
      'whole list differs',
      {
        ...base,
        kind: 'setMembers',
        team: { id: 't1', name: 'Sales' },
        members: [{ email: 'ann@example.com' }, { id: 'u2', email: 'bob@example.com' }],
        added: 1,
        removed: 0,
      },
      undefined,
    ],
    [
      'role set',
      {
        ...base,
        kind: 'setRole',
        user: { id: 'u1', email: 'ann@example.com' },
        team: { id: 'o1', name: 'Org' },
        from: ['Viewer'],
        to: ['editor'],
      },
      { status: 'already-done', detail: expect.any(String) },
    ],
    [
      'role not set',
      {
        ...base,
        kind: 'setRole',
        user: { id: 'u1', email: 'ann@example.com' },
        team: { id: 'o1', name: 'Org' },
        from: ['Editor'],
        to: ['Admin'],
      },
      undefined,
    ],
    [
      'deleted user gone',
      { ...base, kind: 'deleteUser', user: { id: 'u9', email: 'x@example.com' } },
      { status: 'already-done', detail: expect.any(String) },
    ],
    [
      'deleted user still there',
      { ...base, kind: 'deleteUser', user: { id: 'u2', email: 'bob@example.com' } },
      undefined,
    ],
    ['deleted team still there', { ...base, kind: 'deleteTeam', team: { id: 't2', name: 'Ops' } }, undefined],
  ])('%s', (_, op, expected) => {
    expect(readBack(op, actual)).toEqual(expected);
  });

  it('a team created earlier in the run is found by its resolved id', () => {
    const op: Op = { ...base, kind: 'addMember', user: { email: 'ann@example.com' }, team: { name: 'renamed-since' } };

    expect(readBack(op, actual, { teamId: 't1' })?.status).toBe('already-done');
  });
});

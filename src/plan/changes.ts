import type { Change, Op, OpOf, ResourceRef, TeamRef } from '../model/index.js';

/** The object a container change is about: its kind, name, id and (a team in an org) the org's name. */
export function containerOf(t: TeamRef): Change['object'] {
  const type = t.type === 'org' ? 'org' : t.type === 'ou' ? 'unit' : 'team';
  const org = t.parent?.name ?? t.under?.name;
  return { type, name: t.name, ...(t.id ? { id: t.id } : {}), ...(org ? { org } : {}) };
}

const account = (email: string, id?: string): Change['object'] => ({
  type: 'account',
  name: email,
  ...(id ? { id } : {}),
});

const roles = (rs: readonly string[] | undefined) => (rs && rs.length > 0 ? rs.join(', ') : 'none');

/**
 * The changes an op makes, one per person and object: what the audit records and the run's list of
 * changes shows. A whole-list or whole-user write carries the changes it folded (`changes`); an op
 * from an earlier version without them is described as one change.
 */
export function changesOf(op: Op): Change[] {
  switch (op.kind) {
    case 'createTeam':
      return [{ action: 'team.create', object: containerOf(op.team), after: op.team.name, reason: op.reason }];
    case 'renameTeam':
      return [
        {
          action: 'team.rename',
          object: containerOf(op.team),
          before: op.from,
          after: op.team.name,
          reason: op.reason,
        },
      ];
    case 'deleteTeam':
      return [{ action: 'team.delete', object: containerOf(op.team), before: op.team.name, reason: op.reason }];
    case 'createUser':
      return createdChanges(op);
    case 'addMember':
      return [
        {
          action: 'membership.add',
          person: op.user.email,
          object: containerOf(op.team),
          before: 'not a member',
          after: op.role ? `member as ${op.role}` : 'member',
          reason: op.reason,
        },
      ];
    case 'removeMember':
      return [
        {
          action: 'membership.remove',
          person: op.user.email,
          object: containerOf(op.team),
          before: 'member',
          after: 'not a member',
          reason: op.reason,
        },
      ];
    case 'setRole':
      return [
        {
          action: 'role.change',
          person: op.user.email,
          object: op.team ? containerOf(op.team) : { type: 'target', name: 'target-wide' },
          before: roles(op.from),
          after: roles(op.to),
          reason: op.reason,
        },
      ];
    case 'setMembers':
    case 'setUser':
      return op.changes ?? [{ action: op.kind === 'setUser' ? 'user.update' : 'team.members', ...wholeOf(op) }];
    case 'enableUser':
    case 'disableUser':
    case 'deleteUser':
      return [accountChange(op)];
    case 'setGrant':
      return [grantChange(op.from ? 'grant.change' : 'grant.add', op.team, op.resource, op.from, op.level, op.reason)];
    case 'removeGrant':
      return [grantChange('grant.remove', op.team, op.resource, op.level, undefined, op.reason)];
    case 'setGrants':
      return op.changes;
  }
}

/** A team's level on a resource added, changed or removed: the resource is the object, the team is named. */
export function grantChange(
  action: 'grant.add' | 'grant.change' | 'grant.remove',
  team: TeamRef,
  resource: ResourceRef,
  before: string | undefined,
  after: string | undefined,
  reason: string,
): Change {
  const org = team.parent?.name;
  return {
    action,
    team: team.name,
    object: { type: resource.type, name: resource.title, id: resource.id, ...(org ? { org } : {}) },
    before: before ?? 'none',
    after: after ?? 'none',
    reason,
  };
}

/** A new account, and each container it is made in. */
function createdChanges(op: OpOf<'createUser'>): Change[] {
  const teams = op.teams ?? (op.team ? [op.team] : []);
  const role = op.roles ? roles(op.roles) : op.role;
  return [
    {
      action: 'user.create',
      person: op.user.email,
      object: account(op.user.email),
      after: role ? `account, role ${role}` : 'account',
      reason: op.reason,
    },
    ...teams.map((t): Change => ({
      action: 'membership.add',
      person: op.user.email,
      object: containerOf(t),
      after: op.role && t.type === 'org' ? `member as ${op.role}` : 'member',
      reason: op.reason,
    })),
  ];
}

/** An account enabled, disabled or deleted. */
function accountChange(op: OpOf<'enableUser' | 'disableUser' | 'deleteUser'>): Change {
  const object = account(op.user.email, op.user.id);
  const base = { person: op.user.email, object, reason: op.reason };
  switch (op.kind) {
    case 'enableUser':
      return {
        action: 'user.enable',
        ...base,
        before: 'disabled',
        after: op.role ? `enabled as ${op.role}` : 'enabled',
      };
    case 'disableUser':
      return { action: 'user.disable', ...base, before: 'enabled', after: 'disabled' };
    case 'deleteUser':
      return { action: 'user.delete', ...base, before: 'account', after: 'deleted' };
  }
}

/** A folded write stored without its changes (an earlier version's plan): one change for the whole write. */
function wholeOf(op: Extract<Op, { kind: 'setMembers' | 'setUser' }>): Omit<Change, 'action'> {
  return op.kind === 'setMembers'
    ? { object: containerOf(op.team), after: `${op.members.length} members`, reason: op.reason }
    : { person: op.user.email, object: account(op.user.email, op.user.id), reason: op.reason };
}

/** One change in words: `f.li: Viewer -> Admin in "Main Org": member of BI Admins`. */
export function describeChange(c: Change): string {
  const where = `${c.object.type === 'team' || c.object.type === 'account' || c.object.type === 'target' ? '' : `${c.object.type} `}"${c.object.org ? `${c.object.org} / ` : ''}${c.object.name}"`;
  const who = c.person ?? where;
  switch (c.action) {
    case 'membership.add':
      return `${who}: joins ${where}${c.after && c.after !== 'member' ? ` (${c.after})` : ''}: ${c.reason}`;
    case 'membership.remove':
      return `${who}: leaves ${where}: ${c.reason}`;
    case 'role.change':
      return `${who}: ${c.before ?? 'none'} -> ${c.after ?? 'none'}${c.object.type === 'target' ? '' : ` in ${where}`}: ${c.reason}`;
    case 'user.create':
      return `${who}: account created${c.after && c.after !== 'account' ? ` (${c.after.replace(/^account, /, '')})` : ''}: ${c.reason}`;
    case 'user.update':
      return `${who}: ${c.before ? `${c.before} -> ` : ''}${c.after ?? 'updated'}: ${c.reason}`;
    case 'user.enable':
      return `${who}: ${c.after ?? 'enabled'}: ${c.reason}`;
    case 'user.disable':
      return `${who}: disabled: ${c.reason}`;
    case 'user.delete':
      return `${who}: deleted: ${c.reason}`;
    case 'team.create':
      return `${where}: created: ${c.reason}`;
    case 'team.rename':
      return `${where}: renamed from "${c.before ?? ''}": ${c.reason}`;
    case 'team.delete':
      return `${where}: deleted: ${c.reason}`;
    case 'team.members':
      return `${where}: member list set (${c.after ?? ''}): ${c.reason}`;
    case 'grant.add':
      return `${c.team ?? '?'}: ${c.after ?? ''} on ${where}: ${c.reason}`;
    case 'grant.change':
      return `${c.team ?? '?'}: ${c.before ?? ''} -> ${c.after ?? ''} on ${where}: ${c.reason}`;
    case 'grant.remove':
      return `${c.team ?? '?'}: no longer ${c.before ?? ''} on ${where}: ${c.reason}`;
  }
}

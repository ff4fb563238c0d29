import type { Snapshot } from '../../../src/model/index.js';
import type { FakeDirectory } from './directory.js';

/** What writeSnapshot changed, by kind: the directory operations an admin would have made. */
export interface WriteCounts {
  addUser: number;
  updateUser: number;
  removeUser: number;
  addGroup: number;
  renameGroup: number;
  removeGroup: number;
  addMember: number;
  removeMember: number;
}
/** The counts, and the groups whose own member list was changed by addMember/removeMember (not by a deletion elsewhere). */
export interface Written {
  counts: WriteCounts;
  membersChanged: Set<string>;
}

/**
 * Makes the fake tenant equal a synthetic Snapshot through the directory API, with the fewest
 * changes, as an admin would make them: a person is a user whose object id is the sourceId (mail and
 * userPrincipalName the email, accountEnabled from `enabled`); a group holds its people and, as
 * nested group members, the groups whose parentIds name it. Each change lands in the change log the
 * delta endpoints replay: leavers are deleted (leaving their groups silently, as in Graph), a
 * deleted group leaves its parents silently, a moved person or group is a member removed here and
 * added there, an email change is one user update with the id kept.
 */
export function writeSnapshot(dir: FakeDirectory, next: Snapshot): Written {
  const n: WriteCounts = {
    addUser: 0,
    updateUser: 0,
    removeUser: 0,
    addGroup: 0,
    renameGroup: 0,
    removeGroup: 0,
    addMember: 0,
    removeMember: 0,
  };
  const membersChanged = new Set<string>();
  const people = new Map(next.people.map((p) => [p.sourceId, p]));
  const groups = new Map(next.groups.map((g) => [g.sourceId, g]));
  if (people.size !== next.people.length || groups.size !== next.groups.length)
    throw new Error('writeSnapshot: duplicate ids');
  for (const id of people.keys())
    if (groups.has(id)) throw new Error(`writeSnapshot: ${id} is both a person and a group`);

  for (const id of [...dir.users.keys()]) {
    if (people.has(id)) continue;
    dir.removeUser(id);
    n.removeUser += 1;
  }
  for (const p of next.people) {
    const want = { displayName: p.displayName, mail: p.email, userPrincipalName: p.email, accountEnabled: p.enabled };
    const u = dir.users.get(p.sourceId);
    if (!u) {
      dir.addUser({ id: p.sourceId, ...want });
      n.addUser += 1;
      continue;
    }
    const patch = Object.fromEntries(Object.entries(want).filter(([k, v]) => u[k as keyof typeof want] !== v));
    if (Object.keys(patch).length === 0) continue;
    dir.updateUser(p.sourceId, patch);
    n.updateUser += 1;
  }

  for (const id of [...dir.groups.keys()]) {
    if (groups.has(id)) continue;
    dir.removeGroup(id);
    n.removeGroup += 1;
  }
  const members = new Map(next.groups.map((g) => [g.sourceId, new Set<string>()]));
  const into = (group: string, member: string) => {
    const m = members.get(group);
    if (!m) throw new Error(`writeSnapshot: ${member} names group ${group}, which the snapshot does not list`);
    m.add(member);
  };
  for (const p of next.people) for (const g of p.groupIds) into(g, p.sourceId);
  for (const g of next.groups) for (const parent of g.parentIds) into(parent, g.sourceId);
  // New groups first, empty: one may be nested in another new group.
  const created = next.groups.filter((g) => !dir.groups.has(g.sourceId));
  for (const g of created) {
    dir.addGroup(g.sourceId, g.name);
    n.addGroup += 1;
  }
  for (const g of next.groups) {
    const have = dir.groups.get(g.sourceId)!;
    if (have.displayName !== g.name) {
      dir.renameGroup(g.sourceId, g.name);
      n.renameGroup += 1;
    }
    const want = members.get(g.sourceId)!;
    for (const m of [...have.members]) {
      if (want.has(m)) continue;
      dir.removeMember(g.sourceId, m);
      n.removeMember += 1;
      membersChanged.add(g.sourceId);
    }
    for (const m of want) {
      if (have.members.has(m)) continue;
      dir.addMember(g.sourceId, m);
      n.addMember += 1;
      membersChanged.add(g.sourceId);
    }
  }
  return { counts: n, membersChanged };
}

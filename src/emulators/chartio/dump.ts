import type { ResourceRec } from './resources.js';
import type { OrgStore, TeamKind } from './store.js';
import type { ResourceStore } from './resources.js';

/** Plain JSON state for assertions: users with their teams, teams with member emails. */
export interface EmulatorDump {
  org: string;
  users: Array<{ id: number; email: string; displayName: string; teamIds: number[]; teams: string[] }>;
  teams: Array<{ id: number; name: string; isOwner: boolean; kind: TeamKind; memberIds: number[]; members: string[] }>;
  dashboards: Array<{ id: number; title: string; permissions: DumpPermission[] }>;
  datasources: Array<{ id: number; alias: string; permissions: DumpPermission[] }>;
}

export interface DumpPermission {
  id: number;
  accessLevel: string;
  user?: string;
  team?: string;
}

export function dumpState(org: string, store: OrgStore, resources: ResourceStore): EmulatorDump {
  const users = store.userOrder.map((id) => {
    const u = store.users.get(id)!;
    const teamIds = [...u.teams];
    return {
      id,
      email: u.email,
      displayName: u.displayName,
      teamIds,
      teams: teamIds.map((t) => store.teams.get(t)?.name ?? ''),
    };
  });
  const teams = store.teamOrder.map((id) => {
    const t = store.teams.get(id)!;
    const memberIds = [...t.members];
    return {
      id,
      name: t.name,
      isOwner: t.kind === 'owners',
      kind: t.kind,
      memberIds,
      members: memberIds.map((m) => store.users.get(m)?.email ?? ''),
    };
  });
  const perms = (r: ResourceRec): DumpPermission[] =>
    [...r.permissions.values()].map((p) => ({
      id: p.id,
      accessLevel: p.accessLevel,
      ...(p.subject.kind === 'user'
        ? { user: store.users.get(p.subject.id)?.email ?? '' }
        : { team: store.teams.get(p.subject.id)?.name ?? '' }),
    }));
  return {
    org,
    users,
    teams,
    dashboards: [...resources.dashboards.values()].map((d) => ({ id: d.id, title: d.title, permissions: perms(d) })),
    datasources: [...resources.datasources.values()].map((d) => ({ id: d.id, alias: d.alias, permissions: perms(d) })),
  };
}

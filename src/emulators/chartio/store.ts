/** In-memory Chartio org: users and teams indexed by id, lowercase email and lowercase name. */

export type TeamKind = 'owners' | 'dashboard' | 'regular';

export interface UserRec {
  id: number;
  email: string;
  displayName: string;
  createdAt: string;
  updatedAt: string;
  /** Team ids, in the order joined. */
  teams: Set<number>;
}

export interface TeamRec {
  id: number;
  name: string;
  kind: TeamKind;
  createdAt: string;
  updatedAt: string;
  /** User ids, in the order added. */
  members: Set<number>;
}

export const OWNERS_TEAM_NAME = 'Owners';
export const DASHBOARD_TEAM_NAME = 'Added from Dashboard';

/** Emails compare trimmed and case-insensitively. */
export const emailKey = (email: string): string => email.trim().toLowerCase();
/** Team names compare trimmed and case-insensitively (as rostersync's planner matches them). */
export const nameKey = (name: string): string => name.trim().toLowerCase();

/** ISO 8601 without milliseconds, as in the spec's examples. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class OrgStore {
  readonly users = new Map<number, UserRec>();
  readonly teams = new Map<number, TeamRec>();
  /** Ids ascending, kept sorted (ids only grow), so a page is one slice. */
  readonly userOrder: number[] = [];
  readonly teamOrder: number[] = [];
  private readonly byEmail = new Map<string, number>();
  private readonly byName = new Map<string, number>();
  private nextUserId = 1;
  private nextTeamId = 1;
  readonly ownersTeamId: number;

  constructor(
    private readonly now: () => number,
    ownerEmail: string,
  ) {
    this.ownersTeamId = this.createTeam(OWNERS_TEAM_NAME, 'owners').id;
    this.createUser(ownerEmail, this.ownersTeamId);
  }

  get dashboardTeam(): TeamRec | undefined {
    const id = this.byName.get(nameKey(DASHBOARD_TEAM_NAME));
    const team = id === undefined ? undefined : this.teams.get(id);
    return team?.kind === 'dashboard' ? team : undefined;
  }

  userByEmail(email: string): UserRec | undefined {
    const id = this.byEmail.get(emailKey(email));
    return id === undefined ? undefined : this.users.get(id);
  }

  /** A path or body reference: an all-digit string or a number is an id, anything else an email. */
  userByRef(ref: string | number): UserRec | undefined {
    if (typeof ref === 'number') return this.users.get(ref);
    return /^\d+$/.test(ref) ? this.users.get(Number(ref)) : this.userByEmail(ref);
  }

  teamByName(name: string): TeamRec | undefined {
    const id = this.byName.get(nameKey(name));
    return id === undefined ? undefined : this.teams.get(id);
  }

  createUser(email: string, teamId: number | undefined, displayName = ''): UserRec {
    const at = isoSeconds(this.now());
    const user: UserRec = {
      id: this.nextUserId++,
      email: email.trim(),
      displayName,
      createdAt: at,
      updatedAt: at,
      teams: new Set(),
    };
    this.users.set(user.id, user);
    this.userOrder.push(user.id);
    this.byEmail.set(emailKey(email), user.id);
    if (teamId !== undefined) this.addMember(teamId, user.id);
    return user;
  }

  /** Removes the user from every team and from the org. */
  deleteUser(id: number): void {
    const user = this.users.get(id);
    if (!user) return;
    for (const teamId of user.teams) this.teams.get(teamId)?.members.delete(id);
    this.users.delete(id);
    this.byEmail.delete(emailKey(user.email));
    removeSorted(this.userOrder, id);
  }

  createTeam(name: string, kind: TeamKind = 'regular'): TeamRec {
    const at = isoSeconds(this.now());
    const team: TeamRec = {
      id: this.nextTeamId++,
      name: name.trim(),
      kind,
      createdAt: at,
      updatedAt: at,
      members: new Set(),
    };
    this.teams.set(team.id, team);
    this.teamOrder.push(team.id);
    this.byName.set(nameKey(name), team.id);
    return team;
  }

  renameTeam(id: number, name: string): void {
    const team = this.teams.get(id);
    if (!team) return;
    this.byName.delete(nameKey(team.name));
    team.name = name.trim();
    team.updatedAt = isoSeconds(this.now());
    this.byName.set(nameKey(name), id);
  }

  /** Deletes the team only: its members stay in the org, even with no team left (as the API documents). */
  deleteTeam(id: number): void {
    const team = this.teams.get(id);
    if (!team) return;
    for (const userId of team.members) this.users.get(userId)?.teams.delete(id);
    this.teams.delete(id);
    this.byName.delete(nameKey(team.name));
    removeSorted(this.teamOrder, id);
  }

  addMember(teamId: number, userId: number): void {
    const team = this.teams.get(teamId);
    const user = this.users.get(userId);
    if (!team || !user || team.members.has(userId)) return;
    team.members.add(userId);
    user.teams.add(teamId);
    team.updatedAt = isoSeconds(this.now());
  }

  removeMember(teamId: number, userId: number): void {
    const team = this.teams.get(teamId);
    if (!team?.members.delete(userId)) return;
    this.users.get(userId)?.teams.delete(teamId);
    team.updatedAt = isoSeconds(this.now());
  }

  /** Find-or-create helpers for bulk preloading. */
  ensureTeam(name: string): TeamRec {
    const kind: TeamKind = nameKey(name) === nameKey(DASHBOARD_TEAM_NAME) ? 'dashboard' : 'regular';
    return this.teamByName(name) ?? this.createTeam(name, kind);
  }

  ensureUser(email: string, displayName?: string): UserRec {
    const user = this.userByEmail(email) ?? this.createUser(email, undefined, displayName ?? '');
    if (displayName !== undefined) user.displayName = displayName;
    return user;
  }
}

/** Binary search + splice: O(log n + n memmove), fine for 10,000 ids. */
function removeSorted(ids: number[], id: number): void {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) {
      ids.splice(mid, 1);
      return;
    }
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
}

import {
  normaliseEmail,
  type Op,
  type RoleCapabilities,
  type TargetCapabilities,
  type TargetTeam,
  type TargetUser,
} from '../model/index.js';
import type { PlanInput, PlanObservations } from './plan-input.js';
import { resolveTeams, type ResolvedTeam, type TeamResolution } from './resolve-teams.js';
import { Invariants } from './invariants.js';
import { teamGroupsSeen } from './gone-teams.js';
import { deprovisionMode, type DeprovisionMode } from './user-status.js';

/** What one diff shares between its passes: the inputs' lookups, and the ops, warnings and facts it gathers. */
export interface DiffContext {
  input: PlanInput;
  caps: TargetCapabilities;
  /** The target's roles, if it has any. */
  roleCaps: RoleCapabilities | undefined;
  teams: TeamResolution;
  ops: Op[];
  warnings: string[];
  obs: PlanObservations;
  /** Emails of people with no account who wait for their first sign-in. */
  waiting: string[];
  usersById: Map<string, TargetUser>;
  teamsById: Map<string, TargetTeam>;
  usersByEmail: Map<string, TargetUser>;
  /** Target user id -> the linked person's sourceId. */
  sourceOfUser: Map<string, string>;
  protectedEmails: Set<string>;
  inv: Invariants;
  mode: DeprovisionMode;
  /** Target users settled by a person in the directory: not leavers. */
  handled: Set<string>;
  /** Run once every person's adds are planned: removals and demotions. */
  losses: (() => void)[];
  /** Run after the losses: old accounts of people whose email changed. */
  retire: (() => void)[];
  /** Users the deprovision policy acted on so far. */
  deprovisioned: number;
  /** The sync may take the user out of the team (under `membership: additive`, only what it granted). */
  mayRemove(userId: string, teamId: string): boolean;
  /** The role scope a container's roles are given in: its label where roles are per org, else ''. */
  scopeOf(t: ResolvedTeam | undefined): string | undefined;
}

const membership = (userId: string, teamId: string) => `${userId}|${teamId}`;

/** Resolves the teams and builds the lookups; warnings are pushed in the order the checks run. */
export function diffContext(input: PlanInput): DiffContext {
  const { desired, actual, links, policy, capabilities: caps } = input;
  const teams = resolveTeams(input);
  const ops: Op[] = [...teams.ops];
  const warnings = [...teams.warnings];
  const obs: PlanObservations = {
    userLinks: [],
    teamLinks: teams.newLinks,
    newlyAbsent: [],
    reappeared: [],
    teamGroups: teamGroupsSeen(input),
  };
  const waiting: string[] = [];

  const usersById = new Map(actual.users.map((u) => [u.id, u]));
  const teamsById = new Map(actual.teams.map((t) => [t.id, t]));
  const usersByEmail = new Map<string, TargetUser>();
  for (const u of actual.users) usersByEmail.set(normaliseEmail(u.email), u);
  const sourceOfUser = new Map<string, string>();
  for (const [sourceId, userId] of links.users) sourceOfUser.set(userId, sourceId);
  const protectedEmails = new Set(policy.protectedUsers.map(normaliseEmail));
  const additive = policy.membership === 'additive';
  const mayRemove = (userId: string, teamId: string) => !additive || links.granted.has(membership(userId, teamId));
  const inv = new Invariants(actual, caps, warnings);
  const roleCaps = caps.roles;
  if (!roleCaps && desired.people.some((p) => p.roles))
    warnings.push('the mapping gives roles, but the target has no roles: role rules ignored');
  const scopeOf = (t: ResolvedTeam | undefined) => (roleCaps?.scope === 'org' ? t?.label : '');
  const mode = deprovisionMode(policy, caps, warnings);

  return {
    input,
    caps,
    roleCaps,
    teams,
    ops,
    warnings,
    obs,
    waiting,
    usersById,
    teamsById,
    usersByEmail,
    sourceOfUser,
    protectedEmails,
    inv,
    mode,
    handled: new Set<string>(),
    losses: [],
    retire: [],
    deprovisioned: 0,
    mayRemove,
    scopeOf,
  };
}

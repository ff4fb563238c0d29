import { labelOf, type DesiredTeam, type Op, type TargetTeam, type TeamRef } from '../model/index.js';
import type { PlanInput } from './plan-input.js';
import { opKey } from './op-key.js';
import { fitName } from './team-name.js';
import { findGoneTeams } from './gone-teams.js';
import type { ResolvedTeam, TeamResolution } from './team-resolution.js';

export type { ResolvedTeam, TeamResolution } from './team-resolution.js';

/** The target's containers, looked up by id and by name within their parent (two orgs may each have a team of one name). */
interface TargetIndex {
  byId: ReadonlyMap<string, TargetTeam>;
  byName(parentId: string | undefined, type: string, name: string): TargetTeam | undefined;
  /** The key names are told apart by in the target (case folded where the target ignores case). */
  nameKey(parentId: string | undefined, type: string, name: string): string;
  norm(name: string): string;
}

/** What resolving one desired container reads, never changes. */
interface ResolveEnv {
  index: TargetIndex;
  links: PlanInput['links'];
  caps: PlanInput['capabilities'];
  /** Lower-cased protected team names. */
  protectedNames: ReadonlySet<string>;
}

/** Which target containers are taken, updated as desired containers resolve one by one. */
interface Claims {
  /** Target containers a desired container has taken (linked ones from the start). */
  claimed: Set<string>;
  /** Linked containers their own desired container has not resolved to yet. */
  linked: Set<string>;
  /** The linked container a desired container may keep (none for a keep-member or unmanaged one). */
  linkedTarget: (team: DesiredTeam) => TargetTeam | undefined;
  /**
   * Resolved containers by name key: two desired names the target cannot tell apart are one
   * container (the mapping merges them when told the target ignores case; this catches the rest
   * rather than flip-flop).
   */
  byNameKey: Map<string, ResolvedTeam>;
}

const lower = (s: string) => s.trim().toLowerCase();

/**
 * Match each desired container to a target container: by identity link first (a renamed group
 * renames its team), then by name within the same org. A container that must keep a member (an
 * owners team) is managed only when the mapping names it; unmanaged containers and protected names never
 * are. Orgs are matched by name or id and never created; teams are created where missing.
 */
export function resolveTeams(input: PlanInput): TeamResolution {
  const { desired, actual, links, policy, capabilities: caps } = input;
  const index = indexTargetTeams(actual.teams, caps);
  const out: TeamResolution = {
    byName: new Map(),
    managedIds: new Set(),
    ops: [],
    warnings: [],
    newLinks: [],
    gone: new Map(),
  };
  resolveOrgs(desired.teams, actual.teams, out);
  const teams = desired.teams.filter((t) => t.type !== 'org' && t.gone === undefined);
  const env: ResolveEnv = { index, links, caps, protectedNames: new Set(policy.protectedTeams.map(lower)) };
  const claims = claimLinked(teams, env);
  for (const team of teams) resolveTeam(team, env, claims, out);
  findGoneTeams(input, out, (parentId, name, type = 'team') => index.byName(parentId, type, name));
  createAfterRenames(out.ops, index.norm);
  return out;
}

function indexTargetTeams(teams: TargetTeam[], caps: PlanInput['capabilities']): TargetIndex {
  const norm = (s: string) => (caps.caseInsensitiveNames ? s.trim().toLowerCase() : s.trim());
  const nameKey = (parentId: string | undefined, type: string, name: string) =>
    `${type}|${parentId ?? ''}|${norm(name)}`;
  const byName = new Map<string, TargetTeam>();
  for (const t of teams) {
    const k = nameKey(t.parentId, t.type ?? 'team', t.name);
    if (!byName.has(k)) byName.set(k, t);
  }
  return {
    byId: new Map(teams.map((t) => [t.id, t])),
    byName: (parentId, type, name) => byName.get(nameKey(parentId, type, name)),
    nameKey,
    norm,
  };
}

/** Orgs are matched by id or name and never created: a missing one skips its teams and members. */
function resolveOrgs(desired: DesiredTeam[], actual: TargetTeam[], out: TeamResolution): void {
  for (const org of desired.filter((t) => t.type === 'org')) {
    const found = actual.find((t) => t.type === 'org' && (t.id === org.name || lower(t.name) === lower(org.name)));
    if (!found) {
      out.warnings.push(
        `org "${org.name}" does not exist in the target: its teams and members are skipped (orgs are not created by a sync)`,
      );
      continue;
    }
    out.managedIds.add(found.id);
    out.byName.set(labelOf(org), {
      name: found.name,
      label: labelOf(org),
      key: org.key,
      type: 'org',
      id: found.id,
      keepsMember: false,
    });
  }
}

/**
 * Identity links are honoured first, so a renamed group keeps its team even when a new group
 * takes the old name: every usable linked container is claimed before any name is matched.
 */
function claimLinked(teams: DesiredTeam[], env: ResolveEnv): Claims {
  const usable = (t: TargetTeam | undefined) => (t && !t.keepsMember && t.unmanaged === undefined ? t : undefined);
  const linkedTarget = (team: DesiredTeam) => {
    const id = env.links.teams.get(team.key);
    return usable(id !== undefined ? env.index.byId.get(id) : undefined);
  };
  const claimed = new Set<string>();
  for (const team of teams) {
    const t = linkedTarget(team);
    if (t) claimed.add(t.id);
  }
  return { claimed, linked: new Set(claimed), linkedTarget, byNameKey: new Map() };
}

/** One desired team or unit: an existing container (linked, or by name), or a createTeam op. */
function resolveTeam(desiredTeam: DesiredTeam, env: ResolveEnv, claims: Claims, out: TeamResolution): void {
  const label = labelOf(desiredTeam);
  const type = desiredTeam.type ?? 'team';
  const place = placeOf(desiredTeam, out.byName);
  if (!place) return;
  const name = managedName(desiredTeam, env, out.warnings);
  if (name === undefined) return;
  const team = { ...desiredTeam, name };
  const nameKey = env.index.nameKey(place.parentId, type, name);
  const same = claims.byNameKey.get(nameKey);
  if (same) {
    out.warnings.push(
      `teams "${same.label}" and "${label}" are one team in the target (names that differ only in case): merged into "${same.name}"`,
    );
    out.byName.set(label, same);
    return;
  }
  const target = matchExisting(team, type, place, env, claims, out);
  if (target === 'skip') return;
  if (target?.unmanaged !== undefined) {
    out.warnings.push(`team "${target.name}" cannot be managed through the API (${target.unmanaged}): skipped`);
    return;
  }
  const resolved = target
    ? adoptExisting(team, label, type, place, target, claims, out)
    : planCreate(team, label, type, place, env, out);
  if (!resolved) return;
  out.byName.set(label, resolved);
  claims.byNameKey.set(nameKey, resolved);
}

interface Place {
  /** The resolved org of a team. */
  parent: ResolvedTeam | undefined;
  /** The resolved parent unit of a unit. */
  under: ResolvedTeam | undefined;
  /** The target id names are matched under (a placeholder for a unit this plan creates). */
  parentId: string | undefined;
}

/** Where the container goes; none when its org is missing or its parent unit was skipped. */
function placeOf(team: DesiredTeam, resolved: ReadonlyMap<string, ResolvedTeam>): Place | undefined {
  const parent = team.parent !== undefined ? resolved.get(team.parent) : undefined;
  if (team.parent !== undefined && parent?.id === undefined) return undefined;
  // Units nest: the parent unit comes first (the mapping lists parents first); one skipped skips its subtree.
  const under = team.under !== undefined ? resolved.get(team.under) : undefined;
  if (team.under !== undefined && under === undefined) return undefined;
  // Under a unit this plan creates nothing exists yet: a placeholder parent id matches no container.
  const parentId = parent?.id ?? (under ? (under.id ?? `new:${under.key}`) : undefined);
  return { parent, under, parentId };
}

/** The name the target gets (cut to its limit); none for a protected team. */
function managedName(team: DesiredTeam, env: ResolveEnv, warnings: string[]): string | undefined {
  if (env.protectedNames.has(lower(team.name))) {
    warnings.push(`team "${team.name}" is protected: not managed`);
    return undefined;
  }
  const name = fitName(team.name, env.caps.maxNameLength);
  if (name !== team.name) {
    warnings.push(
      `team "${team.name.slice(0, 40)}…" is ${team.name.length} characters; the target allows ${env.caps.maxNameLength}: named "${name}" (cut, with a hash of the whole name)`,
    );
  }
  return name;
}

/**
 * The existing container a desired one keeps: its linked container (renamed, or reported when it
 * cannot follow its group), else an unclaimed one of the same name (linked now). `skip`: a
 * protected container the group's new name would rename.
 */
function matchExisting(
  team: DesiredTeam,
  type: string,
  place: Place,
  env: ResolveEnv,
  claims: Claims,
  out: TeamResolution,
): TargetTeam | 'skip' | undefined {
  const { index, caps } = env;
  const { parentId } = place;
  const linkedId = env.links.teams.get(team.key);
  const linked = linkedId !== undefined ? index.byId.get(linkedId) : undefined;
  const sameName = index.byName(parentId, type, team.name);
  const linkedUsable =
    linked && claims.linked.has(linked.id) && claims.linkedTarget(team) === linked && !out.managedIds.has(linked.id);
  const movedOrRenamed =
    linkedUsable && (linked.parentId !== parentId || (linked.name !== team.name && !caps.containers.renamable));

  if (linkedUsable && movedOrRenamed && caps.containers.recreateRenamed) {
    // The container cannot follow its group: the group's new name (or place) gets a container of
    // its own below, and the old one is emptied and reported.
    out.gone.set(linked.id, {
      name: linked.name,
      what: `the unit of a group renamed or moved to "${team.name}" (units cannot follow)`,
      action: 'empty',
    });
    out.managedIds.add(linked.id);
    claims.linked.delete(linked.id);
  }
  if (linkedUsable && !(movedOrRenamed && caps.containers.recreateRenamed) && linked.parentId === parentId)
    return renameLinked(team, linked, sameName, place.parent, env, out);
  if (linkedUsable && type === 'ou' && !caps.containers.recreateRenamed && linked.parentId !== parentId) {
    out.warnings.push(
      `unit "${linked.name}" should move with its group, but the target cannot move units: left where it is`,
    );
    return linked;
  }
  if (sameName && !claims.claimed.has(sameName.id) && !out.gone.has(sameName.id)) {
    if (linkedId !== sameName.id) out.newLinks.push([team.key, sameName.id]);
    return sameName;
  }
  return undefined;
}

/** A linked container whose group was renamed gets the new name, where the target lets it. */
function renameLinked(
  team: DesiredTeam,
  linked: TargetTeam,
  sameName: TargetTeam | undefined,
  parent: ResolvedTeam | undefined,
  env: ResolveEnv,
  out: TeamResolution,
): TargetTeam | 'skip' {
  if (linked.name === team.name) return linked;
  if (sameName && sameName.id !== linked.id) {
    out.warnings.push(
      `team "${linked.name}" should be renamed to "${team.name}", but that name is taken by team ${sameName.id}: left as is`,
    );
  } else if (env.protectedNames.has(lower(linked.name))) {
    out.warnings.push(`team "${linked.name}" is protected: not renamed to "${team.name}"`);
    return 'skip';
  } else if (!env.caps.containers.renamable) {
    out.warnings.push(
      `team "${linked.name}" should be renamed to "${team.name}", but the target cannot rename: left as is`,
    );
  } else {
    out.ops.push({
      kind: 'renameTeam',
      key: opKey('team-rename', linked.id),
      team: { id: linked.id, name: team.name, ...typeAndParent(parent) },
      from: linked.name,
      teamKey: team.key,
      reason: `group renamed: "${linked.name}" -> "${team.name}"`,
      dependsOn: [],
    });
  }
  return linked;
}

/** The desired container keeps an existing one: it becomes managed and claimed. */
function adoptExisting(
  team: DesiredTeam,
  label: string,
  type: ResolvedTeam['type'],
  place: Place,
  target: TargetTeam,
  claims: Claims,
  out: TeamResolution,
): ResolvedTeam {
  claims.claimed.add(target.id);
  claims.linked.delete(target.id);
  out.managedIds.add(target.id);
  return {
    name: team.name,
    label,
    key: team.key,
    type,
    id: target.id,
    keepsMember: target.keepsMember === true,
    ...(place.parent ? { parent: place.parent as ResolvedTeam & { id: string } } : {}),
    ...(place.under ? { under: place.under } : {}),
  };
}

/** A container the target lacks: a createTeam op (after its parent unit's), where the target lets the sync create it. */
function planCreate(
  team: DesiredTeam,
  label: string,
  type: ResolvedTeam['type'],
  place: Place,
  env: ResolveEnv,
  out: TeamResolution,
): ResolvedTeam | undefined {
  if (!env.caps.containers.creatable.includes(type)) {
    out.warnings.push(`team "${team.name}" does not exist and the target's teams cannot be created by a sync: skipped`);
    return undefined;
  }
  const { parent, under } = place;
  const key = opKey('team-create', team.key);
  const resolved: ResolvedTeam = {
    name: team.name,
    label,
    key: team.key,
    type,
    keepsMember: false,
    createOp: key,
    ...(parent ? { parent: parent as ResolvedTeam & { id: string } } : {}),
    ...(under ? { under } : {}),
  };
  out.ops.push({
    kind: 'createTeam',
    key,
    team: refOf(resolved),
    teamKey: team.key,
    reason: 'mapped from the directory; not in the target',
    dependsOn: under?.createOp ? [under.createOp] : [],
  });
  return resolved;
}

/** A new team may take the name an existing team is being renamed away from: rename first. */
function createAfterRenames(ops: Op[], norm: (name: string) => string): void {
  for (const op of ops) {
    if (op.kind !== 'createTeam') continue;
    op.dependsOn = [
      ...op.dependsOn,
      ...ops
        .filter(
          (r) =>
            r.kind === 'renameTeam' && norm(r.from) === norm(op.team.name) && r.team.parent?.id === op.team.parent?.id,
        )
        .map((r) => r.key),
    ];
  }
}

/** The ref of a resolved container, as ops carry it. */
/** One ref per resolved team, shared by its ops (refs are never mutated): 650,000 joins need 5,000 refs, not 650,000. */
const refs = new WeakMap<ResolvedTeam, TeamRef>();

export function refOf(t: ResolvedTeam): TeamRef {
  let ref = refs.get(t);
  if (!ref) refs.set(t, (ref = makeRef(t)));
  return ref;
}

function makeRef(t: ResolvedTeam): TeamRef {
  return {
    ...(t.id !== undefined ? { id: t.id } : {}),
    name: t.name,
    ...(t.type !== 'team' ? { type: t.type as 'org' | 'ou' } : {}),
    ...(t.parent ? { parent: { id: t.parent.id, name: t.parent.name, type: 'org' as const } } : {}),
    ...(t.type === 'ou' ? { key: t.key } : {}),
    ...(t.under
      ? { under: { ...(t.under.id !== undefined ? { id: t.under.id } : {}), key: t.under.key, name: t.under.name } }
      : {}),
  };
}

function typeAndParent(parent: ResolvedTeam | undefined): { parent?: { id: string; name: string; type: 'org' } } {
  return parent?.id !== undefined ? { parent: { id: parent.id, name: parent.name, type: 'org' } } : {};
}

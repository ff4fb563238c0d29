import { labelOf, type DesiredTeam, type TargetTeam, type TeamRef } from '../model/index.js';
import type { PlanInput } from './plan-input.js';
import { opKey } from './op-key.js';
import { fitName } from './team-name.js';
import { findGoneTeams } from './gone-teams.js';
import type { ResolvedTeam, TeamResolution } from './team-resolution.js';

export type { ResolvedTeam, TeamResolution } from './team-resolution.js';

/**
 * Match each desired container to a target container: by identity link first (a renamed group
 * renames its team), then by name within the same org. A container that must keep a member (an
 * owners team) is managed only when the mapping names it; unmanaged containers and protected names never
 * are. Orgs are matched by name or id and never created; teams are created where missing.
 */
export function resolveTeams(input: PlanInput): TeamResolution {
  const { desired, actual, links, policy, capabilities: caps } = input;
  const norm = (s: string) => (caps.caseInsensitiveNames ? s.trim().toLowerCase() : s.trim());
  const lower = (s: string) => s.trim().toLowerCase();
  const byId = new Map(actual.teams.map((t) => [t.id, t]));
  // Name lookups are per parent: two orgs may each have a team of one name.
  const byName = new Map<string, TargetTeam>();
  const nameKey = (parentId: string | undefined, type: string, name: string) =>
    `${type}|${parentId ?? ''}|${norm(name)}`;
  for (const t of actual.teams) {
    const k = nameKey(t.parentId, t.type ?? 'team', t.name);
    if (!byName.has(k)) byName.set(k, t);
  }
  const protectedNames = new Set(policy.protectedTeams.map(lower));
  const out: TeamResolution = {
    byName: new Map(),
    managedIds: new Set(),
    ops: [],
    warnings: [],
    newLinks: [],
    gone: new Map(),
  };

  for (const org of desired.teams.filter((t) => t.type === 'org')) {
    const found = actual.teams.find(
      (t) => t.type === 'org' && (t.id === org.name || lower(t.name) === lower(org.name)),
    );
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

  const teams = desired.teams.filter((t) => t.type !== 'org' && t.gone === undefined);
  const claimed = new Set<string>();
  const usable = (t: TargetTeam | undefined) => (t && !t.keepsMember && t.unmanaged === undefined ? t : undefined);
  // Identity links are honoured first, so a renamed group keeps its team even when a new group
  // takes the old name.
  const linkedTarget = (team: DesiredTeam) => {
    const id = links.teams.get(team.key);
    return usable(id !== undefined ? byId.get(id) : undefined);
  };
  for (const team of teams) {
    const t = linkedTarget(team);
    if (t) claimed.add(t.id);
  }
  const linkedClaims = new Set(claimed);
  // Two desired names the target cannot tell apart are one container (the mapping merges them
  // when told the target ignores case; this catches the rest rather than flip-flop).
  const resolvedByName = new Map<string, ResolvedTeam>();

  for (const desiredTeam of teams) {
    const label = labelOf(desiredTeam);
    const type = desiredTeam.type ?? 'team';
    const parent = desiredTeam.parent !== undefined ? out.byName.get(desiredTeam.parent) : undefined;
    if (desiredTeam.parent !== undefined && parent?.id === undefined) continue;
    // Units nest: the parent unit comes first (the mapping lists parents first); one skipped skips its subtree.
    const under = desiredTeam.under !== undefined ? out.byName.get(desiredTeam.under) : undefined;
    if (desiredTeam.under !== undefined && under === undefined) continue;
    // Under a unit this plan creates nothing exists yet: a placeholder parent id matches no container.
    const parentId = parent?.id ?? (under ? (under.id ?? `new:${under.key}`) : undefined);
    if (protectedNames.has(lower(desiredTeam.name))) {
      out.warnings.push(`team "${desiredTeam.name}" is protected: not managed`);
      continue;
    }
    const name = fitName(desiredTeam.name, caps.maxNameLength);
    if (name !== desiredTeam.name) {
      out.warnings.push(
        `team "${desiredTeam.name.slice(0, 40)}…" is ${desiredTeam.name.length} characters; the target allows ${caps.maxNameLength}: named "${name}" (cut, with a hash of the whole name)`,
      );
    }
    const team = { ...desiredTeam, name };
    const same = resolvedByName.get(nameKey(parentId, type, name));
    if (same) {
      out.warnings.push(
        `teams "${same.label}" and "${label}" are one team in the target (names that differ only in case): merged into "${same.name}"`,
      );
      out.byName.set(label, same);
      continue;
    }
    const linkedId = links.teams.get(team.key);
    const linked = linkedId !== undefined ? byId.get(linkedId) : undefined;
    const sameName = byName.get(nameKey(parentId, type, team.name));
    let target: TargetTeam | undefined;
    const linkedUsable =
      linked && linkedClaims.has(linked.id) && linkedTarget(team) === linked && !out.managedIds.has(linked.id);
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
      linkedClaims.delete(linked.id);
    }
    if (linkedUsable && !(movedOrRenamed && caps.containers.recreateRenamed) && linked.parentId === parentId) {
      target = linked;
      if (linked.name !== team.name) {
        if (sameName && sameName.id !== linked.id) {
          out.warnings.push(
            `team "${linked.name}" should be renamed to "${team.name}", but that name is taken by team ${sameName.id}: left as is`,
          );
        } else if (protectedNames.has(lower(linked.name))) {
          out.warnings.push(`team "${linked.name}" is protected: not renamed to "${team.name}"`);
          continue;
        } else if (!caps.containers.renamable) {
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
      }
    } else if (linkedUsable && type === 'ou' && !caps.containers.recreateRenamed && linked.parentId !== parentId) {
      out.warnings.push(
        `unit "${linked.name}" should move with its group, but the target cannot move units: left where it is`,
      );
      target = linked;
    } else if (sameName && !claimed.has(sameName.id) && !out.gone.has(sameName.id)) {
      target = sameName;
      if (linkedId !== sameName.id) out.newLinks.push([team.key, sameName.id]);
    }

    if (target?.unmanaged !== undefined) {
      out.warnings.push(`team "${target.name}" cannot be managed through the API (${target.unmanaged}): skipped`);
      continue;
    }
    if (target) {
      claimed.add(target.id);
      linkedClaims.delete(target.id);
      out.managedIds.add(target.id);
      out.byName.set(label, {
        name: team.name,
        label,
        key: team.key,
        type,
        id: target.id,
        keepsMember: target.keepsMember === true,
        ...(parent ? { parent: parent as ResolvedTeam & { id: string } } : {}),
        ...(under ? { under } : {}),
      });
      resolvedByName.set(nameKey(parentId, type, team.name), out.byName.get(label)!);
      continue;
    }
    if (!caps.containers.creatable.includes(type)) {
      out.warnings.push(
        `team "${team.name}" does not exist and the target's teams cannot be created by a sync: skipped`,
      );
      continue;
    }
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
    out.byName.set(label, resolved);
    resolvedByName.set(nameKey(parentId, type, team.name), resolved);
  }
  findGoneTeams(input, out, (parentId, name, type = 'team') => byName.get(nameKey(parentId, type, name)));
  // A new team may take the name an existing team is being renamed away from: rename first.
  for (const op of out.ops) {
    if (op.kind !== 'createTeam') continue;
    op.dependsOn = [
      ...op.dependsOn,
      ...out.ops
        .filter(
          (r) =>
            r.kind === 'renameTeam' && norm(r.from) === norm(op.team.name) && r.team.parent?.id === op.team.parent?.id,
        )
        .map((r) => r.key),
    ];
  }
  return out;
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

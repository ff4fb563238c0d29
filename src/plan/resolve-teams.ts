import type { Op, TargetTeam } from '../model/index.js';
import type { PlanInput } from './plan-input.js';
import { opKey } from './op-key.js';

/** A desired team resolved against the target: an existing team id, or the createTeam op that makes it. */
export interface ResolvedTeam {
  name: string;
  key: string;
  id?: string;
  isOwner: boolean;
  /** Key of the createTeam op when the team does not exist yet. */
  createOp?: string;
}

export interface TeamResolution {
  byName: Map<string, ResolvedTeam>;
  /** Target team ids the mapping manages: only these are changed. */
  managedIds: Set<string>;
  ops: Op[];
  warnings: string[];
  newLinks: [string, string][];
}

const lower = (s: string) => s.trim().toLowerCase();

/**
 * Match each desired team to a target team: by identity link first (a renamed group renames its
 * team), then by name. The Owners team is managed only when the mapping names it; a team the API
 * cannot add to ("Added from Dashboard") and protected teams are never managed.
 */
export function resolveTeams(input: PlanInput): TeamResolution {
  const { desired, actual, links, policy } = input;
  const byId = new Map(actual.teams.map((t) => [t.id, t]));
  const byLowerName = new Map<string, TargetTeam>();
  for (const t of actual.teams) if (!byLowerName.has(lower(t.name))) byLowerName.set(lower(t.name), t);
  const protectedNames = new Set(policy.protectedTeams.map(lower));

  const out: TeamResolution = { byName: new Map(), managedIds: new Set(), ops: [], warnings: [], newLinks: [] };
  const claimed = new Set<string>();
  // Identity links are honoured first, so a renamed group keeps its team even when a new group
  // takes the old name.
  const linkedTarget = (key: string) => {
    const id = links.teams.get(key);
    const t = id !== undefined ? byId.get(id) : undefined;
    return t && !t.isOwner && !t.noAdd ? t : undefined;
  };
  for (const team of desired.teams) {
    const t = linkedTarget(team.key);
    if (t && !claimed.has(t.id)) claimed.add(t.id);
  }
  const linkedClaims = new Set(claimed);

  for (const team of desired.teams) {
    if (protectedNames.has(lower(team.name))) {
      out.warnings.push(`team "${team.name}" is protected: not managed`);
      continue;
    }
    const linkedId = links.teams.get(team.key);
    const linked = linkedId !== undefined ? byId.get(linkedId) : undefined;
    const sameName = byLowerName.get(lower(team.name));
    let target: TargetTeam | undefined;

    if (linked && linkedClaims.has(linked.id) && linkedTarget(team.key) === linked && !out.managedIds.has(linked.id)) {
      target = linked;
      if (linked.name !== team.name) {
        if (sameName && sameName.id !== linked.id) {
          out.warnings.push(`team "${linked.name}" should be renamed to "${team.name}", but that name is taken by team ${sameName.id}: left as is`);
        } else if (protectedNames.has(lower(linked.name))) {
          out.warnings.push(`team "${linked.name}" is protected: not renamed to "${team.name}"`);
          continue;
        } else {
          out.ops.push({
            kind: 'renameTeam', key: opKey('team-rename', linked.id), team: { id: linked.id, name: team.name }, from: linked.name,
            teamKey: team.key, reason: `group renamed: "${linked.name}" -> "${team.name}"`, dependsOn: [],
          });
        }
      }
    } else if (sameName && !claimed.has(sameName.id)) {
      target = sameName;
      if (linkedId !== sameName.id) out.newLinks.push([team.key, sameName.id]);
    }

    if (target?.noAdd) {
      out.warnings.push(`team "${target.name}" cannot be managed through the API (users cannot be added to it): skipped`);
      continue;
    }
    if (target) {
      claimed.add(target.id);
      linkedClaims.delete(target.id);
      out.managedIds.add(target.id);
      out.byName.set(team.name, { name: team.name, key: team.key, id: target.id, isOwner: target.isOwner });
      continue;
    }
    const key = opKey('team-create', team.key);
    out.ops.push({ kind: 'createTeam', key, team: { name: team.name }, teamKey: team.key, reason: 'mapped from the directory; not in the target', dependsOn: [] });
    out.byName.set(team.name, { name: team.name, key: team.key, isOwner: false, createOp: key });
  }
  // A new team may take the name an existing team is being renamed away from: rename first.
  for (const op of out.ops) {
    if (op.kind !== 'createTeam') continue;
    op.dependsOn = out.ops.filter((r) => r.kind === 'renameTeam' && lower(r.from) === lower(op.team.name)).map((r) => r.key);
  }
  return out;
}

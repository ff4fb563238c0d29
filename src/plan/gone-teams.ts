import type { Op, TargetTeam } from '../model/index.js';
import type { PlanInput } from './plan-input.js';
import type { TeamResolution } from './team-resolution.js';
import { opKey } from './op-key.js';
import { fitName } from './team-name.js';

/**
 * Teams the sync manages whose group is gone: a team link whose key the mapping no longer produces
 * (the group was deleted, or no longer maps), and a team named in mapping.groups whose group is
 * missing. Such a team stays managed: emptied, or deleted with `prune`. A team the mapping still
 * resolves, one that must keep a member, an unmanaged one and a protected one are left alone.
 */
export function findGoneTeams(
  input: PlanInput,
  out: TeamResolution,
  byName: (parentId: string | undefined, name: string, type?: string) => TargetTeam | undefined,
): void {
  const { desired, actual, links, policy, capabilities: caps } = input;
  const byId = new Map(actual.teams.map((t) => [t.id, t]));
  const protectedNames = new Set(policy.protectedTeams.map((n) => n.trim().toLowerCase()));
  const keys = new Set(desired.teams.filter((t) => t.gone === undefined).map((t) => t.key));
  const found: [string, string][] = [];
  for (const [key, id] of links.teams) {
    if (keys.has(key)) continue;
    const group = links.teamGroups?.get(key);
    found.push([
      id,
      key.startsWith('group:')
        ? `group "${group ?? key.slice('group:'.length)}"`
        : key.startsWith('attr:')
          ? `attribute value "${group ?? key.slice('attr:'.length)}"`
          : `the mapping of "${key.replace(/^name:/, '')}"`,
    ]);
  }
  for (const t of desired.teams) {
    if (t.gone === undefined) continue;
    const parentId = t.parent !== undefined ? out.byName.get(t.parent)?.id : undefined;
    const hit = byId.get(links.teams.get(t.key) ?? '') ?? byName(parentId, fitName(t.name, caps.maxNameLength), t.type);
    if (hit) found.push([hit.id, `group "${t.gone}"`]);
  }
  const prune = policy.prune && caps.containers.deletable;
  for (const [id, what] of found) {
    const team = byId.get(id);
    if (
      !team ||
      out.managedIds.has(id) ||
      out.gone.has(id) ||
      team.keepsMember ||
      team.unmanaged !== undefined ||
      team.type === 'org'
    )
      continue;
    if (protectedNames.has(team.name.trim().toLowerCase())) continue;
    out.gone.set(id, { name: team.name, what, action: prune ? 'delete' : 'empty' });
    if (!prune) out.managedIds.add(id);
  }
}

/**
 * After every removal is planned: deletes gone teams under prune, and says in the plan, once per
 * team, what was emptied. Returns how many teams this plan empties (each counts as a deletion).
 */
export function goneTeamOps(
  gone: TeamResolution['gone'],
  ops: Op[],
  teamsById: ReadonlyMap<string, TargetTeam>,
  warnings: string[],
  emailOf: (userId: string) => string = (id) => id,
): number {
  let emptied = 0;
  for (const [teamId, g] of gone) {
    const line = `${g.what} is gone: team "${g.name}"`;
    if (g.action === 'delete') {
      ops.push({
        kind: 'deleteTeam',
        key: opKey('team-delete', teamId),
        team: { id: teamId, name: g.name },
        reason: `${line} deleted (prune)`,
        dependsOn: [],
      });
      warnings.push(`${line} deleted (prune)`);
      continue;
    }
    // Members leave by a removal, or with their account (a leaver deleted by the deprovision policy).
    const members = new Set(teamsById.get(teamId)!.memberIds);
    const leaving = new Set(
      ops.flatMap((o) =>
        (o.kind === 'removeMember' && o.team.id === teamId) || (o.kind === 'deleteUser' && members.has(o.user.id))
          ? [o.user.id!]
          : [],
      ),
    );
    // Already empty (or only members the sync may not remove): nothing to say on every later run.
    if (leaving.size === 0) continue;
    emptied += 1;
    const kept = [...members].filter((id) => !leaving.has(id));
    warnings.push(`${line} emptied (${leaving.size} removed${kept.length > 0 ? `; ${keptText(kept, emailOf)}` : ''})`);
  }
  return emptied;
}

/**
 * Who stays in an emptied team, by name, so the line stands on its own: out of the sync's scope,
 * not deprovisioned yet, or kept by a rule (those rules add their own warning).
 */
function keptText(kept: string[], emailOf: (userId: string) => string): string {
  const names = kept.slice(0, 3).map(emailOf);
  return `${kept.length} kept: ${names.join(', ')}${kept.length > 3 ? ', …' : ''}`;
}

export function goneReason(gone: TeamResolution['gone'], teamId: string): string | undefined {
  const g = gone.get(teamId);
  return g ? `${g.what} is gone: team "${g.name}" emptied` : undefined;
}

/** Group names of group-keyed teams the store does not have yet (or has under an old name). */
export function teamGroupsSeen(input: PlanInput): [string, string][] {
  return input.desired.teams.flatMap((t) =>
    t.group !== undefined && input.links.teamGroups?.get(t.key) !== t.group
      ? [[t.key, t.group] as [string, string]]
      : [],
  );
}

import {
  RESOURCE_TYPE_WORDS,
  type AccessCapabilities,
  type Change,
  type Grant,
  type Op,
  type ResourceRef,
  type TargetResource,
  type TargetTeam,
  type TeamRef,
} from '../model/index.js';
import type { CompiledAccess, TeamAccess } from '../mapping/access-rules.js';
import { grantChange } from './changes.js';
import { opKey } from './op-key.js';
import type { PlanInput } from './plan-input.js';
import { resourceWords } from './render.js';
import { refOf, type ResolvedTeam, type TeamResolution } from './resolve-teams.js';

/** One managed team as the access plan sees it: its ref, its id once it exists, and the op creating it. */
interface ManagedTeam {
  ref: TeamRef;
  id?: string;
  createOp?: string;
  /** Its group is gone: it keeps no declared grant (and a team being deleted is left to its deletion). */
  gone?: 'empty' | 'delete';
}

/** A team's declared level on one resource, and the rule that gave it. */
interface Declared {
  team: ManagedTeam;
  level: string;
  reason: string;
}

const teamKeyOf = (t: ManagedTeam) => t.id ?? `new-${t.ref.parent?.id ?? ''}-${t.ref.name}`;
const resourceKey = (r: ResourceRef) => `${r.org ?? ''}|${r.type}|${r.id}`;
/** The resource as an op names it: without what was read of its grants. */
const refOfResource = ({ grants: _grants, unreadable: _unreadable, ...ref }: TargetResource): ResourceRef => ref;

/**
 * The grants the access rules declare for the managed teams, against the grants the target holds:
 * ops that add, change and (authoritative) remove them. Only grants whose subject is a team the
 * sync manages are ever touched; user grants, role grants and other teams' grants are not, and a
 * whole-list write carries them as read. Pushes onto `ops` and `warnings`.
 */
export function accessOps(
  input: PlanInput,
  teams: TeamResolution,
  teamsById: ReadonlyMap<string, TargetTeam>,
  ops: Op[],
  warnings: string[],
): void {
  const access = input.access;
  if (!access || access.rules.length === 0) return;
  const caps = input.capabilities.access;
  if (!caps) {
    warnings.push(`access: the target has no permissions API; ${access.rules.length} access rule(s) ignored`);
    return;
  }
  const managed = managedTeams(teams, teamsById);
  const byId = new Map(managed.flatMap((t) => (t.id !== undefined ? [[t.id, t] as const] : [])));
  const resources = (input.actual.resources ?? []).filter((r) => caps.types.includes(r.type));
  const declared = declare(access, caps, managed, resources, warnings);
  const additive = input.policy.access === 'additive';
  for (const r of resources) {
    const want = declared.get(resourceKey(r)) ?? new Map<string, Declared>();
    const owned = r.grants.filter((g) => g.subject.kind === 'team' && byId.has(g.subject.id));
    if (r.unreadable !== undefined) {
      if (want.size > 0 || owned.length > 0)
        warnings.push(`access: ${resourceWords(r)} left as it is: its permissions could not be read (${r.unreadable})`);
      continue;
    }
    const moves = grantMoves(r, want, owned, byId, caps, additive);
    if (moves.length === 0) continue;
    const fitting = withinCap(r, moves, caps, warnings);
    if (caps.write === 'whole-list') wholeListOp(r, fitting, owned, byId, ops);
    else for (const m of fitting) ops.push(grantOp(r, m));
  }
}

/** The teams the sync manages: the mapping's teams (existing or created by this plan), and teams whose group is gone. */
function managedTeams(teams: TeamResolution, teamsById: ReadonlyMap<string, TargetTeam>): ManagedTeam[] {
  const out: ManagedTeam[] = [];
  const seen = new Set<string>();
  for (const t of teams.byName.values()) {
    if (t.type !== 'team' || (t.id !== undefined && !teams.managedIds.has(t.id))) continue;
    if (t.id === undefined && t.createOp === undefined) continue;
    if (t.id !== undefined) seen.add(t.id);
    out.push(fromResolved(t));
  }
  for (const [id, g] of teams.gone) {
    const t = teamsById.get(id);
    if (seen.has(id) || !t || (t.type ?? 'team') !== 'team') continue;
    const parent = t.parentId !== undefined ? teamsById.get(t.parentId) : undefined;
    const ref: TeamRef = {
      id,
      name: t.name,
      ...(parent ? { parent: { id: parent.id, name: parent.name, type: 'org' as const } } : {}),
    };
    out.push({ ref, id, gone: g.action });
  }
  return out;
}

const fromResolved = (t: ResolvedTeam): ManagedTeam => ({
  ref: refOf(t),
  ...(t.id !== undefined ? { id: t.id } : {}),
  ...(t.createOp !== undefined ? { createOp: t.createOp } : {}),
});

/** The target's spelling of a configured level for a type, or undefined when it has no such level. */
export function levelOf(caps: AccessCapabilities, type: ResourceRef['type'], level: string): string | undefined {
  return caps.levels[type]?.find((l) => l.toLowerCase() === level.trim().toLowerCase());
}

const rank = (caps: AccessCapabilities, r: ResourceRef, level: string) =>
  caps.levels[r.type]?.findIndex((l) => l.toLowerCase() === level.toLowerCase()) ?? -1;

/** Resource key -> team key -> the highest level some rule gives it there; warns for an entry that matches nothing. */
function declare(
  access: CompiledAccess,
  caps: AccessCapabilities,
  managed: ManagedTeam[],
  resources: TargetResource[],
  warnings: string[],
): Map<string, Map<string, Declared>> {
  const out = new Map<string, Map<string, Declared>>();
  const matchedEntries = new Set<string>();
  const entries = new Map<string, TeamAccess>();
  for (const team of managed) {
    if (team.gone) continue;
    for (const a of access.forTeam(team.ref.name)) {
      const entryKey = `${a.rule}|${a.type}|${a.entry}`;
      entries.set(entryKey, a);
      const level = levelOf(caps, a.type, a.level);
      if (level === undefined || !caps.types.includes(a.type)) continue;
      for (const r of resources) {
        if (r.type !== a.type || r.org !== team.ref.parent?.id || !a.matches(r)) continue;
        matchedEntries.add(entryKey);
        const perTeam = out.get(resourceKey(r)) ?? new Map<string, Declared>();
        out.set(resourceKey(r), perTeam);
        const had = perTeam.get(teamKeyOf(team));
        if (had && rank(caps, r, had.level) >= rank(caps, r, level)) continue;
        const what = `${RESOURCE_TYPE_WORDS[a.type].many} ${a.entry}`;
        perTeam.set(teamKeyOf(team), {
          team,
          level,
          reason: `access rule ${a.rule} gives "${team.ref.name}" ${level} on ${what}`,
        });
      }
    }
  }
  for (const [key, a] of entries)
    if (!matchedEntries.has(key))
      warnings.push(
        `access rule ${a.rule}: ${RESOURCE_TYPE_WORDS[a.type].many} ${a.entry} match no ${RESOURCE_TYPE_WORDS[a.type].one}${caps.types.includes(a.type) ? '' : ' (the target has none)'}`,
      );
  return out;
}

/** One team's grant on one resource: from -> to (undefined: none). */
interface Move {
  team: ManagedTeam;
  from?: string;
  to?: string;
  permissionId?: string;
  reason: string;
}

function grantMoves(
  r: TargetResource,
  want: Map<string, Declared>,
  owned: Grant[],
  byId: ReadonlyMap<string, ManagedTeam>,
  caps: AccessCapabilities,
  additive: boolean,
): Move[] {
  const moves: Move[] = [];
  const held = new Map(owned.map((g) => [g.subject.id, g]));
  for (const d of want.values()) {
    const g = d.team.id !== undefined ? held.get(d.team.id) : undefined;
    if (g && rank(caps, r, g.level) === rank(caps, r, d.level)) continue;
    // Additive never narrows: a level widened in the app stays.
    if (g && additive && rank(caps, r, g.level) > rank(caps, r, d.level)) continue;
    moves.push({
      team: d.team,
      ...(g ? { from: g.level } : {}),
      to: d.level,
      ...(g?.permissionId !== undefined ? { permissionId: g.permissionId } : {}),
      reason: g ? `${d.reason} (it holds ${g.level}, set outside the sync)` : d.reason,
    });
  }
  if (additive) return moves;
  for (const g of owned) {
    const team = byId.get(g.subject.id)!;
    if (want.has(teamKeyOf(team)) || team.gone === 'delete') continue;
    moves.push({
      team,
      from: g.level,
      ...(g.permissionId !== undefined ? { permissionId: g.permissionId } : {}),
      reason: team.gone
        ? `the group of "${team.ref.name}" is gone: its grants go`
        : `no access rule gives "${team.ref.name}" a level on ${resourceWords(r)} (policy.access: authoritative)`,
    });
  }
  return moves;
}

/** At most caps.maxGrantsPerResource grants a resource: new grants over it are left out, naming the resource. */
function withinCap(r: TargetResource, moves: Move[], caps: AccessCapabilities, warnings: string[]): Move[] {
  const max = caps.maxGrantsPerResource;
  if (max === undefined) return moves;
  const adds = moves.filter((m) => m.from === undefined);
  const removes = moves.filter((m) => m.to === undefined).length;
  const after = r.grants.length + adds.length - removes;
  if (after <= max) return moves;
  warnings.push(
    `access: ${resourceWords(r)} (id ${r.id}) would hold ${after} permissions; the target allows ${max} per ${RESOURCE_TYPE_WORDS[r.type].one}: its ${adds.length} new grant(s) are left out (${adds
      .slice(0, 3)
      .map((m) => `"${m.team.ref.name}"`)
      .join(', ')}${adds.length > 3 ? ', …' : ''})`,
  );
  return moves.filter((m) => m.from !== undefined);
}

function grantOp(r: TargetResource, m: Move): Op {
  const resource = refOfResource(r);
  const rk = [r.org ?? '', r.type, r.id];
  if (m.to === undefined)
    return {
      kind: 'removeGrant',
      key: opKey('ungrant', ...rk, m.team.id!),
      resource,
      team: m.team.ref as TeamRef & { id: string },
      level: m.from!,
      ...(m.permissionId !== undefined ? { permissionId: m.permissionId } : {}),
      reason: m.reason,
      dependsOn: [],
    };
  return {
    kind: 'setGrant',
    key: opKey('grant', ...rk, teamKeyOf(m.team)),
    resource,
    team: m.team.ref,
    level: m.to,
    ...(m.from !== undefined ? { from: m.from } : {}),
    ...(m.permissionId !== undefined ? { permissionId: m.permissionId } : {}),
    reason: m.reason,
    dependsOn: m.team.createOp ? [m.team.createOp] : [],
  };
}

/** One write of the resource's whole list: every grant the sync does not own as read, and the managed teams' final levels. */
function wholeListOp(
  r: TargetResource,
  moves: Move[],
  owned: Grant[],
  byId: ReadonlyMap<string, ManagedTeam>,
  ops: Op[],
): void {
  const levels = new Map<string, { team: ManagedTeam; level: string }>();
  for (const g of owned) levels.set(g.subject.id, { team: byId.get(g.subject.id)!, level: g.level });
  for (const m of moves) {
    if (m.to === undefined) levels.delete(teamKeyOf(m.team));
    else levels.set(teamKeyOf(m.team), { team: m.team, level: m.to });
  }
  const resource = refOfResource(r);
  const changes: Change[] = moves.map((m) =>
    grantChange(
      m.to === undefined ? 'grant.remove' : m.from === undefined ? 'grant.add' : 'grant.change',
      m.team.ref,
      resource,
      m.from,
      m.to,
      m.reason,
    ),
  );
  ops.push({
    kind: 'setGrants',
    key: opKey('grants', r.org ?? '', r.type, r.id),
    resource,
    kept: r.grants.filter((g) => !(g.subject.kind === 'team' && byId.has(g.subject.id))),
    teams: [...levels.values()].map((v) => ({ team: v.team.ref, level: v.level })),
    changes,
    reason: moves.length === 1 ? moves[0]!.reason : `${moves.length} managed teams' grants change`,
    dependsOn: [...new Set(moves.flatMap((m) => (m.team.createOp ? [m.team.createOp] : [])))],
  });
}

/** Grants of managed teams this plan removes: what policy.maxGrantRemovals counts. */
export function grantRemovals(ops: readonly Op[]): number {
  let n = 0;
  for (const op of ops) {
    if (op.kind === 'removeGrant') n += 1;
    else if (op.kind === 'setGrants') n += op.changes.filter((c) => c.action === 'grant.remove').length;
  }
  return n;
}

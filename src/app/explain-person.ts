import type { StoredAuditEntry } from '../audit/audit-event.js';
import { describeEntry } from '../audit/describe-entry.js';
import type { MappingConfig } from '../config/schema.js';
import { groupNesting, inherited, tracePerson } from '../mapping/index.js';
import {
  labelOf,
  normaliseEmail,
  planOps,
  type Actual,
  type Desired,
  type Group,
  type MapOptions,
  type Op,
  type Plan,
  type Snapshot,
} from '../model/index.js';
import { changesOf, describeChange } from '../plan/changes.js';
import type { RunView } from '../store/run-record.js';
import { mapOptionsFor } from './plan-sync.js';
import { planFromStore } from './run-sync.js';
import type { Runtime } from './runtime.js';

/**
 * What rostersync knows and would do about one person, step by step (like a provision-on-demand
 * trace): the source's record, the scope verdict, what the mapping gives and why, the target's
 * account, the plan's ops for them and the last runs that changed them. Plain JSON: the CLI prints
 * it (`--json`) or renders it, and the status page renders it as HTML.
 */
export interface Explanation {
  /** The email asked about, as given. */
  email: string;
  profile: string;
  target: { name: string; kind: string };
  /** When the directory and the target were read. */
  at: string;
  /** Where the person was found: neither means the email is unknown to both. */
  found: { directory: boolean; target: boolean };
  steps: {
    source: SourceStep;
    scope: ScopeStep;
    mapping: MappingStep;
    target: TargetStep;
    plan: PlanStep;
    history: HistoryStep;
  };
}

export interface GroupRef {
  id: string;
  name: string;
}

export type SourceStep =
  | { found: false; note: string }
  | {
      found: true;
      sourceId: string;
      email: string;
      enabled: boolean;
      /** What the source read of the person besides id, email and status. */
      attributes: Record<string, string>;
      /** Groups the person is a member of. */
      directGroups: GroupRef[];
      /** Groups they are in through nesting, each with the chain from one of their own groups. */
      inheritedGroups: (GroupRef & { via: string[] })[];
      /** Other directory people with the same email (case ignored), by id. */
      sameEmail: string[];
    };

export interface ScopeStep {
  inScope: boolean;
  /** Why (not): the rule that leaves the person out, or what keeps them in. */
  reason: string;
}

export interface MappingStep {
  /** The containers (teams, orgs, units) the person belongs in, with why. */
  teams: { name: string; type: string; reason: string }[];
  /** The roles the rules give, by scope ('' target-wide, else the org), with each rule's reason. */
  roles: { scope: string; role: string; reason: string }[];
  note?: string;
}

export type TargetStep =
  | { found: false; note: string }
  | {
      found: true;
      id: string;
      email: string;
      displayName: string;
      status?: string;
      untouchable?: string;
      teams: { id: string; name: string; type: string }[];
      roles: { scope: string; roles: string[] }[];
    };

export interface PlanStep {
  planId: string;
  /** A safety rule blocks the whole plan: none of these ops would apply without an approval. */
  blocked?: { code: string; reason: string };
  ops: { key: string; kind: string; reason: string; changes: string[] }[];
  /** The plan's warnings that name the person (kept on a team, skipped, an email taken…). */
  warnings: string[];
  /** Ops for the person before this limit are listed; the rest counted. */
  more?: number;
}

export interface HistoryStep {
  /** Newest first. */
  changes: { runId: string; runStartedAt: string; runStatus: string; at: string; outcome: string; text: string }[];
  /** How many runs were looked at (the newest ones the store keeps). */
  runsSearched: number;
  note?: string;
}

/** What the assembly reads: one planned sync, the profile's mapping, and the history. */
export interface ExplainInput {
  email: string;
  profile: string;
  target: { name: string; kind: string };
  mapping: MappingConfig;
  mapOptions: MapOptions;
  snapshot: Snapshot;
  desired: Desired;
  actual: Actual;
  plan: Plan;
  /** The runs that recorded changes for the person, newest first (their entries in recorded order). */
  history: { run: RunView; entries: StoredAuditEntry[] }[];
  /** How many runs were looked at for them. */
  runsSearched: number;
  at?: string;
}

/** Runs looked at for the person's history, and their changes listed. */
export const HISTORY_RUNS = 20;
export const HISTORY_CHANGES = 10;
const MAX_OPS = 50;

/** Reads the directory and the target and plans exactly as a sync would (no writes), then explains one person. */
export async function explainPerson(rt: Runtime, email: string): Promise<Explanation> {
  const sp = await planFromStore(rt, { mode: 'full' });
  const runs = await rt.store.listRuns(HISTORY_RUNS);
  const history: ExplainInput['history'] = [];
  let found = 0;
  let searched = 0;
  for (const run of runs) {
    if (found >= HISTORY_CHANGES) break;
    searched += 1;
    const filter = { person: email.trim() };
    let page = await rt.store.audit.page(run.runId, filter, 0, HISTORY_CHANGES);
    // The run's last changes to the person are the ones shown.
    if (page.matching > page.entries.length)
      page = await rt.store.audit.page(run.runId, filter, page.matching - HISTORY_CHANGES, HISTORY_CHANGES);
    if (page.entries.length === 0) continue;
    history.push({ run, entries: page.entries.map((e) => e.entry) });
    found += page.entries.length;
  }
  return assembleExplanation({
    email,
    profile: rt.profile.name,
    target: { name: rt.targetName, kind: rt.target.kind },
    mapping: rt.profile.mapping,
    mapOptions: mapOptionsFor(rt.target, sp.learned, rt.profile),
    snapshot: sp.read.snapshot,
    desired: sp.desired,
    actual: sp.actual,
    plan: sp.plan,
    history,
    runsSearched: searched,
  });
}

/** The explanation from what was read and planned. Pure. */
export function assembleExplanation(x: ExplainInput): Explanation {
  const key = normaliseEmail(x.email);
  const matches = x.snapshot.people.filter((p) => normaliseEmail(p.email) === key);
  // The one the mapping keeps when several share the email; else the first by id.
  const kept = x.desired.people.find((d) => normaliseEmail(d.email) === key);
  const person = matches.find((p) => p.sourceId === kept?.sourceId) ?? [...matches].sort(byId)[0];
  const user = x.actual.users.find((u) => normaliseEmail(u.email) === key);
  const groups = groupsById(x.snapshot);

  const source = sourceStep(x.snapshot, groups, person, matches);
  const trace = person ? tracePerson(x.snapshot, x.mapping, x.mapOptions, person.sourceId) : undefined;
  const desired = person ? x.desired.people.find((d) => d.sourceId === person.sourceId) : undefined;
  const scope: ScopeStep = !person
    ? {
        inScope: false,
        reason: user
          ? 'not in the directory: the account in the target is no longer backed by anyone in the source'
          : 'not in the directory',
      }
    : desired
      ? { inScope: true, reason: inScopeReason(x.mapping, desired.teams.length, desired.roles) }
      : { inScope: false, reason: trace?.outOfScope ?? 'left out by the mapping' };

  return {
    email: x.email,
    profile: x.profile,
    target: x.target,
    at: x.at ?? x.plan.createdAt,
    found: { directory: person !== undefined, target: user !== undefined },
    steps: {
      source,
      scope,
      mapping: mappingStep(x, groups, source, trace, desired),
      target: targetStep(x.actual, user),
      plan: planStep(x.plan, key, person?.sourceId, user?.id),
      history: historyStep(x.history, x.runsSearched, key),
    },
  };
}

const byId = (a: { sourceId: string }, b: { sourceId: string }) =>
  a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0;

function groupsById(snapshot: Snapshot): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const g of snapshot.groups) if (!out.has(g.sourceId)) out.set(g.sourceId, g);
  return out;
}

const ref = (groups: ReadonlyMap<string, Group>, id: string): GroupRef => ({ id, name: groups.get(id)?.name ?? id });

function sourceStep(
  snapshot: Snapshot,
  groups: ReadonlyMap<string, Group>,
  person: Snapshot['people'][number] | undefined,
  matches: Snapshot['people'],
): SourceStep {
  if (!person) return { found: false, note: 'no one in the directory has this email' };
  const attributes: Record<string, string> = { displayName: person.displayName };
  if (person.givenName) attributes.givenName = person.givenName;
  if (person.familyName) attributes.familyName = person.familyName;
  // The attributes the profile lists (source.attributes), as the mapping compares them.
  for (const [name, values] of Object.entries(person.attributes ?? {}))
    attributes[name] = values.join('; ') + (person.from?.[name] ? ` (from ${person.from[name]})` : '');
  // A joined person: which source decided each field.
  if (person.from)
    attributes.sources = ['enabled', 'email', 'names', 'groups'].map((f) => `${f}: ${person.from![f]}`).join('; ');
  const direct = [...new Set(person.groupIds)];
  // Ancestors through nesting, as the mapping sees them (cycles condensed), then the chain that
  // leads to each: the shortest from one of the person's own groups.
  const ancestors = new Set<string>();
  const closure = inherited(groupNesting(snapshot.groups), (id) => [id]);
  for (const g of direct) for (const a of closure.get(g) ?? []) ancestors.add(a);
  for (const g of direct) ancestors.delete(g);
  const via = new Map<string, string[]>();
  const queue = direct.map((g) => [g]);
  const seen = new Set(direct);
  while (queue.length > 0) {
    const path = queue.shift()!;
    for (const parent of groups.get(path[path.length - 1]!)?.parentIds ?? []) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      via.set(parent, path);
      queue.push([...path, parent]);
    }
  }
  return {
    found: true,
    sourceId: person.sourceId,
    email: person.email,
    enabled: person.enabled,
    attributes,
    directGroups: direct.map((id) => ref(groups, id)),
    inheritedGroups: [...ancestors]
      .map((id) => ({ ...ref(groups, id), via: (via.get(id) ?? []).map((g) => ref(groups, g).name) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    sameEmail: matches.filter((p) => p !== person).map((p) => p.sourceId),
  };
}

function inScopeReason(mapping: MappingConfig, teams: number, roles: Record<string, unknown[]> | undefined): string {
  const parts = ['enabled' + (mapping.people.includeDisabled ? ' or disabled people included' : '')];
  parts.push('not excluded');
  if (mapping.people.emailDomains.length > 0) parts.push('email domain allowed');
  const grants = Object.values(roles ?? {}).reduce((n, r) => n + r.length, 0);
  parts.push(`the mapping gives ${teams} container(s) and ${grants} role(s)`);
  return parts.join(', ');
}

function mappingStep(
  x: ExplainInput,
  groups: ReadonlyMap<string, Group>,
  source: SourceStep,
  trace: ReturnType<typeof tracePerson>,
  desired: Desired['people'][number] | undefined,
): MappingStep {
  if (!desired) {
    const note = source.found ? 'nothing: the person is out of scope' : 'nothing: the person is not in the directory';
    return { teams: [], roles: [], note };
  }
  const containers = new Map(x.desired.teams.map((t) => [labelOf(t), t]));
  const direct = new Set(source.found ? source.directGroups.map((g) => g.id) : []);
  const via = new Map(source.found ? source.inheritedGroups.map((g) => [g.id, g.via]) : []);
  const fromGroups = new Map((trace?.teams ?? []).map((t) => [t.label, t.groupIds]));
  const why = (label: string): string => {
    const ids = fromGroups.get(label);
    if (ids && ids.length > 0)
      return ids
        .map((id) => {
          const name = ref(groups, id).name;
          if (direct.has(id)) return `member of ${name}`;
          const chain = via.get(id);
          return `member of ${name} through ${chain && chain.length > 0 ? chain.join(' > ') : 'nesting'}`;
        })
        .join('; ');
    if (trace?.default === label) return 'default team (no rule places them)';
    // A team from a rule on attributes or conditions carries its reason (`department = Sales`).
    const ruled = desired.teamReasons?.get(label);
    if (ruled !== undefined) return ruled;
    const c = containers.get(label);
    if (c?.type === 'org') return 'the org of their teams or roles';
    return 'from the mapping';
  };
  return {
    teams: desired.teams.map((label) => ({
      name: label,
      type: containers.get(label)?.type ?? 'team',
      reason: why(label),
    })),
    roles: Object.entries(desired.roles ?? {}).flatMap(([scope, grants]) =>
      grants.map((g) => ({ scope, role: g.role, reason: g.reason })),
    ),
  };
}

function targetStep(actual: Actual, user: Actual['users'][number] | undefined): TargetStep {
  if (!user) return { found: false, note: 'no account with this email in the target' };
  const teams = new Map(actual.teams.map((t) => [t.id, t]));
  const name = (id: string) => {
    const t = teams.get(id);
    if (!t) return id;
    const parent = t.parentId ? teams.get(t.parentId) : undefined;
    return parent && t.type !== 'ou' ? `${parent.name} / ${t.name}` : t.name;
  };
  return {
    found: true,
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    ...(user.status ? { status: user.status } : {}),
    ...(user.untouchable ? { untouchable: user.untouchable } : {}),
    teams: user.teamIds.map((id) => ({ id, name: name(id), type: teams.get(id)?.type ?? 'team' })),
    roles: Object.entries(user.roles ?? {}).map(([scope, roles]) => ({
      scope: scope === '' ? '' : (teams.get(scope)?.name ?? scope),
      roles,
    })),
  };
}

/** The ops that concern the person (their account, or their place in a whole-list write), with their changes in words. */
function planStep(plan: Plan, email: string, sourceId: string | undefined, userId: string | undefined): PlanStep {
  const mine = (op: Op) => {
    if ('user' in op) {
      const u = op.user;
      if (normaliseEmail(u.email) === email) return true;
      if (sourceId !== undefined && u.sourceId === sourceId) return true;
      if (userId !== undefined && u.id === userId) return true;
    }
    return false;
  };
  const ops: PlanStep['ops'] = [];
  for (const op of planOps(plan)) {
    const all = changesOf(op);
    const theirs = all.filter((c) => c.person !== undefined && normaliseEmail(c.person) === email);
    if (!mine(op) && theirs.length === 0) continue;
    const shown = theirs.length > 0 ? theirs : all;
    ops.push({ key: op.key, kind: op.kind, reason: op.reason, changes: shown.map(describeChange) });
  }
  return {
    planId: plan.id,
    ...(plan.blocked ? { blocked: plan.blocked } : {}),
    ops: ops.slice(0, MAX_OPS),
    warnings: plan.warnings.filter((w) => w.toLowerCase().includes(email)),
    ...(ops.length > MAX_OPS ? { more: ops.length - MAX_OPS } : {}),
  };
}

function historyStep(history: ExplainInput['history'], runsSearched: number, email: string): HistoryStep {
  const changes: HistoryStep['changes'] = [];
  // Runs newest first; within a run its last changes, in the order they were recorded.
  for (const { run, entries } of history) {
    const left = HISTORY_CHANGES - changes.length;
    if (left <= 0) break;
    const theirs = entries.filter((e) => 'person' in e && normaliseEmail(e.person ?? '') === email);
    for (const e of theirs.slice(-left)) {
      if (!('person' in e)) continue;
      changes.push({
        runId: run.runId,
        runStartedAt: run.startedAt,
        runStatus: run.status,
        at: e.at,
        outcome: e.outcome,
        text: describeEntry(e),
      });
    }
  }
  return {
    changes,
    runsSearched,
    ...(changes.length === 0 ? { note: 'no recorded run changed this person' } : {}),
  };
}

import type { Logger } from '../log/logger.js';
import type { Config, ProfileConfig } from '../config/schema.js';
import type { Actual, Desired, MapOptions, Plan } from '../model/index.js';
import { mapDirectory } from '../mapping/index.js';
import { compileAccess } from '../mapping/access-rules.js';
import { makePlan } from '../plan/make-plan.js';
import { ISSUE_WORDS } from '../plan/render.js';
import { emptyLinks, type Links, type PlanObservations } from '../plan/plan-input.js';
import type { ReadMode, Source, SourceRead } from '../sources/source.js';
import { capabilitiesOf, type Target, type TargetFacts } from '../targets/target.js';

/** What earlier runs left in the store that planning needs. */
export interface PlanState {
  links: Links;
  tombstones: ReadonlyMap<string, number>;
  lastSourceSize?: number;
  /** A joined profile: people each source gave in the last good read, by source name. */
  lastSourceSizes?: Record<string, number>;
  cursor?: string;
}

export const emptyPlanState = (): PlanState => ({ links: emptyLinks(), tombstones: new Map() });

export interface SyncPlan {
  plan: Plan;
  observations: PlanObservations;
  desired: Desired;
  read: SourceRead;
  /** What the target holds: the plan was made against it (`explain` shows a person's side of it). */
  actual: Actual;
  /** What the target read learned: the plan was made with it, and the run applies with it. */
  learned: TargetFacts;
  timings: { sourceMs: number; targetMs: number; planMs: number };
}

export interface PlanSyncOptions {
  mode: ReadMode;
  state: PlanState;
  allowDeletes?: number;
  allowRoleLosses?: number;
  allowRemovals?: number;
  allowGrantRemovals?: number;
  now?: number;
}

/** Calls per second the target's budget allows, with its headroom (0: no limit). */
export function budgetRate(target: Target): number {
  const { max, durationMs, headroom } = target.budget;
  return max > 0 ? (max * headroom) / (durationMs / 1000) : 0;
}

/** Orgs the mapping names (besides the target's own), for targets with orgs to read. */
export function orgsNamed(profile: ProfileConfig): string[] {
  return [
    ...new Set([
      ...profile.mapping.rules.flatMap((r) => (r.org ? [r.org] : [])),
      ...profile.mapping.roles.flatMap((r) => (r.org ? [r.org] : [])),
    ]),
  ];
}

/** How the mapping shapes Desired for this target, with what its read learned. */
export function mapOptionsFor(
  target: Target,
  learned: TargetFacts,
  profile: ProfileConfig,
  now = Date.now(),
): MapOptions {
  // Names the target cannot tell apart must be one team before planning, or each sync flip-flops them.
  return {
    ...target.mapOptions?.(learned),
    caseInsensitiveNames: capabilitiesOf(target, learned).caseInsensitiveNames,
    // Start and end dates are days in the profile's zone.
    now,
    timeZone: profile.schedule?.timezone ?? 'UTC',
  };
}

/** Steps 1-4 of a sync: read the source, map, read the target, plan (with the safety verdict). */
export async function planSync(
  config: Config,
  profile: ProfileConfig,
  source: Source,
  target: Target,
  log: Logger,
  opts: PlanSyncOptions,
): Promise<SyncPlan> {
  const t0 = performance.now();
  const read = await source.read({ mode: opts.mode, ...(opts.state.cursor ? { cursor: opts.state.cursor } : {}) });
  log.info(
    {
      people: read.snapshot.people.length,
      groups: read.snapshot.groups.length,
      issues: read.snapshot.issues.length,
      mode: read.mode,
    },
    'source read',
  );
  const words = source.issueWords ?? ISSUE_WORDS;
  for (const issue of read.snapshot.issues.slice(0, 50))
    log.warn({ where: issue.where, reason: issue.reason }, `source: ${words.one}`);

  const t1 = performance.now();
  // The target first: targets with orgs learn their default org from it, which the mapping needs.
  // Access rules: only the resource types they name are listed, and only what they can reach has its grants read.
  const access = profile.access.length > 0 ? compileAccess(profile.access) : undefined;
  const {
    actual,
    requests,
    learned = {},
  } = await target.read({
    orgs: orgsNamed(profile),
    ...(access ? { access: { types: access.types, reaches: access.reaches } } : {}),
  });
  log.info({ users: actual.users.length, teams: actual.teams.length, requests }, 'target read');
  const t2 = performance.now();
  const capabilities = capabilitiesOf(target, learned);
  const desired = mapDirectory(read.snapshot, profile.mapping, mapOptionsFor(target, learned, profile, opts.now));

  const { plan, observations } = makePlan({
    desired,
    actual,
    links: opts.state.links,
    tombstones: opts.state.tombstones,
    policy: config.policy,
    capabilities,
    now: opts.now ?? Date.now(),
    readCalls: requests,
    ...(access ? { access } : {}),
    ...(opts.allowGrantRemovals !== undefined ? { allowGrantRemovals: opts.allowGrantRemovals } : {}),
    ratePerSecond: budgetRate(target),
    ...(opts.state.lastSourceSize !== undefined ? { lastSourceSize: opts.state.lastSourceSize } : {}),
    ...shrunkSource(read, opts.state.lastSourceSizes, config.policy.minSourceRatio),
    source: {
      kind: source.kind,
      issues: read.snapshot.issues.length,
      words,
      ...(read.sources ? { sources: read.sources } : {}),
      ...(read.join ? { join: read.join } : {}),
    },
    ...(opts.allowDeletes !== undefined ? { allowDeletes: opts.allowDeletes } : {}),
    ...(opts.allowRoleLosses !== undefined ? { allowRoleLosses: opts.allowRoleLosses } : {}),
    ...(opts.allowRemovals !== undefined ? { allowRemovals: opts.allowRemovals } : {}),
  });
  const t3 = performance.now();
  return {
    plan,
    observations,
    desired,
    read,
    actual,
    learned,
    timings: { sourceMs: t1 - t0, targetMs: t2 - t1, planMs: t3 - t2 },
  };
}

/**
 * A joined read: the first source that gave fewer people than minSourceRatio of its last good read.
 * Deletions wait then, naming that source, however the other sources look.
 */
function shrunkSource(
  read: SourceRead,
  last: Record<string, number> | undefined,
  ratio: number,
): { shrunkSource?: { name: string; people: number; last: number } } {
  const s = read.sources?.find((x) => (last?.[x.name] ?? 0) > 0 && x.people < last![x.name]! * ratio);
  return s ? { shrunkSource: { name: s.name, people: s.people, last: last![s.name]! } } : {};
}

import type { Plan } from '../model/index.js';
import type { Actual, Desired, TargetCapabilities } from '../model/index.js';
import type { PolicyConfig } from '../config/schema.js';
import type { CompiledAccess } from '../mapping/access-rules.js';

/** What the store knows from earlier runs. All maps are read-only inputs: the planner is pure. */
export interface Links {
  /** Person sourceId -> target user id. */
  users: ReadonlyMap<string, string>;
  /** DesiredTeam.key -> target team id. */
  teams: ReadonlyMap<string, string>;
  /** `${userId}|${teamId}` memberships this sync granted (for `membership: additive`). */
  granted: ReadonlySet<string>;
  /** DesiredTeam.key -> the name of its group when last seen: what the plan names once the group is gone. */
  teamGroups?: ReadonlyMap<string, string>;
}

export interface PlanInput {
  desired: Desired;
  actual: Actual;
  links: Links;
  policy: PolicyConfig;
  capabilities: TargetCapabilities;
  /** Target user id -> epoch ms when first seen absent from the directory. */
  tombstones: ReadonlyMap<string, number>;
  /** Epoch ms; the clock is an input so the same inputs give the same plan. */
  now: number;
  /** The source's kind and the issues of its read (rows or entries it could not use), for the plan's header. */
  source?: NonNullable<Plan['stats']['source']>;
  /** People in the last good read, for the "much smaller directory" guard. */
  lastSourceSize?: number;
  /** A joined profile's source that shrank past minSourceRatio (plan-sync): deletions wait, naming it. */
  shrunkSource?: { name: string; people: number; last: number };
  /** `--allow-deletes N`: this run may delete up to N. */
  allowDeletes?: number;
  /** `--allow-role-losses N`: up to N people may lose the highest role. */
  allowRoleLosses?: number;
  /** `--allow-removals N`: up to N memberships may be removed, however much a team shrinks. */
  allowRemovals?: number;
  /** The profile's access rules (none: permissions are not planned). */
  access?: CompiledAccess;
  /** `--allow-grant-removals N`: up to N grants of managed teams may be removed. */
  allowGrantRemovals?: number;
  /** GETs spent reading the target, for the estimate. */
  readCalls: number;
  /** Budget in calls per second (already with headroom). */
  ratePerSecond: number;
}

/** Facts the planner found that the app should persist (the planner itself writes nothing). */
export interface PlanObservations {
  /** New identity links found by email match: [sourceId, userId]. */
  userLinks: [string, string][];
  /** New team links found by name match: [teamKey, teamId]. */
  teamLinks: [string, string][];
  /** Target users first seen absent in this plan (start their grace period). */
  newlyAbsent: string[];
  /** Target users with a tombstone that are back in the directory (clear it). */
  reappeared: string[];
  /** Group names of group-keyed teams that are new or changed: [teamKey, group name]. */
  teamGroups?: [string, string][];
}

export const emptyLinks = (): Links => ({ users: new Map(), teams: new Map(), granted: new Set() });

import type { z } from 'zod';
import { keysUnder, type KeyNames } from '../config/origins.js';
import type { Actual, MapOptions, Op, ResourceRef, ResourceType, TargetCapabilities, TeamRef } from '../model/index.js';
import type { HttpHooks } from './http/http-client.js';

/** What applying one op produced: new ids to link, an idempotent no-op, or a wait (no account yet). */
export interface OpOutcome {
  status: 'applied' | 'already-done' | 'deferred';
  /** Id of a created/found user or team, for identity links. */
  createdId?: string;
  detail?: string;
  /** Whole-user writes: the user's container ids as written (grants for `membership: additive`). */
  teamIds?: string[];
}

export interface TargetRead {
  actual: Actual;
  /** GETs spent. */
  requests: number;
  /** What the read found out about the target itself (not its contents): the run carries it to every apply. */
  learned?: TargetFacts;
}

/**
 * Facts a read learns about the target that rule how a plan is made and applied: the plan is made
 * with them, they are stored with the run (plain JSON), and every op of the run is applied with
 * them, so a worker process that never read the target applies as the planner planned. A read never
 * changes the Target object itself.
 */
export interface TargetFacts {
  /** The capabilities as this target really is (e.g. what the server's version supports). */
  capabilities?: TargetCapabilities;
  /** Org container id -> name (targets whose calls name the org). */
  orgNames?: Record<string, string>;
  /** Role names the target has, as it spells them (targets that create the missing ones). */
  roles?: string[];
  /**
   * What the server said about itself that the plug-in plans and applies with, in the plug-in's own
   * plain-JSON shape (e.g. a protocol's discovery documents): only that plug-in reads it.
   */
  server?: Record<string, unknown>;
}

/** The capabilities a plan is made and applied with: the configured ones, as the read refined them. */
export function capabilitiesOf(target: Pick<Target, 'capabilities'>, learned?: TargetFacts): TargetCapabilities {
  return learned?.capabilities ?? target.capabilities;
}

/** Which resources the profile's access rules can reach: only those are listed and have their grants read. */
export interface AccessScope {
  /** Resource types some rule names (no listing for the others). */
  types: ResourceType[];
  /** Some rule can match this resource (by id or title): its grants are read. */
  reaches(resource: ResourceRef): boolean;
}

export interface ReadHint {
  orgs?: string[];
  /** Set when the profile has access rules: read the resources they reach, with their grants. */
  access?: AccessScope;
}

/** Resolves TeamRef/UserRef ids that were unknown at plan time (created by earlier phases). */
export interface IdResolver {
  /** A container created earlier in the run (by name within its org), else the identity link of `key`. */
  teamId(team: TeamRef, key?: string): Promise<string | undefined>;
  userId(sourceId: string | undefined, email: string): Promise<string | undefined>;
  /** A container by its identity-link key alone (a unit whose name repeats in other branches). */
  teamIdByKey?(key: string): Promise<string | undefined>;
}

/** The target's rate budget: one per key, shared by reads, writes and every process on one Redis. */
export interface BudgetSpec {
  /** What the limit is counted on: the API host (a per-IP limit), or host and key (a per-key limit). */
  key: string;
  max: number;
  durationMs: number;
  headroom: number;
  /**
   * The server reports its own window in X-RateLimit-Limit / -Remaining / -Reset on every answer:
   * the budget follows it too (slows down, or waits for the reset when the window is nearly spent).
   * @defaultValue false
   */
  followHeaders?: boolean;
}

/**
 * A target tool. Reading and applying are separate so `plan` and `backfill` share everything up
 * to the last step. Implementations map their HTTP errors to TargetHttpError / TargetNetworkError
 * and turn the documented idempotent answers (exists, already gone) into `already-done`.
 */
export interface Target {
  readonly kind: string;
  /** As configured, before any read; a read's `learned.capabilities` refine them (capabilitiesOf). */
  readonly capabilities: TargetCapabilities;
  readonly budget: BudgetSpec;
  /** How the mapping must shape Desired for this target (e.g. the org teams belong to), given what a read learned. */
  mapOptions?(learned?: TargetFacts): MapOptions;
  /**
   * Everything the plan needs, and what the read learned about the target (returned, never kept on
   * the object); `hint.orgs`: orgs the mapping names (targets with orgs read only those).
   */
  read(hint?: ReadHint): Promise<TargetRead>;
  /**
   * One op, applied with the facts the run's read learned (the run's stored `learned`); none for a
   * run stored without them (an earlier version's): applied as configured.
   */
  apply(op: Op, ids: IdResolver, learned?: TargetFacts): Promise<OpOutcome>;
  /** Connectivity and credentials; a string is what the check learned of the server, for `validate` to print. */
  check?(): Promise<void | string>;
}

/**
 * How a target's messages name its config keys (`target.token`, or `targets.eu.token` for a named
 * target) and what to fix for a refused credential, with where its value came from (an environment
 * variable, a secret file). Keys are relative to the target: `['admin', 'password']`.
 */
export type TargetKeys = KeyNames;

/** Keys named under `target`, without origins: for a target built outside a loaded config (tests). */
export const TARGET_KEYS: TargetKeys = keysUnder(undefined, ['target']);

/** One target kind: its config schema and how to build it. The registry holds one line per plug-in. */
export interface TargetPlugin<C extends { kind: string } = { kind: string }> {
  readonly kind: C['kind'];
  /** A zod object with `kind: z.literal(kind)`; the config's target union is built from these. */
  readonly configSchema: z.ZodType<C>;
  /** `keys`: how its messages name its config keys. @defaultValue TARGET_KEYS */
  create(config: C, hooks: HttpHooks, keys?: TargetKeys): Target;
}

/**
 * Every Redis key rostersync writes, in one place. One prefix per deployment; a profile's keys share
 * the hash tag `{<prefix>:<profile>}` so multi-key scripts and transactions work on Redis Cluster.
 */
export function profileKeys(prefix: string, profile: string) {
  const p = profileKeyBase(prefix, profile);
  return {
    userLinks: `${p}:links:users`,
    teamLinks: `${p}:links:teams`,
    teamGroups: `${p}:links:team-groups`,
    granted: `${p}:links:granted`,
    tombstones: `${p}:tombstones`,
    cursor: `${p}:cursor`,
    lastSourceSize: `${p}:last-source-size`,
    /** A joined profile: people each source gave in the last read that fed a successful run. */
    lastSourceSizes: `${p}:last-source-sizes`,
    runs: `${p}:runs`,
    lock: `${p}:lock`,
    /** The last run state a notification was sent for (src/notify): one message per change. */
    notified: `${p}:notified`,
    run: (runId: string) => ({
      record: `${p}:run:${runId}`,
      plan: `${p}:run:${runId}:plan`,
      /** The plan's ops, in order, as a list of JSON chunks (the plan key holds the rest and the phase sizes). */
      planOps: `${p}:run:${runId}:plan-ops`,
      /** What the target read learned about the target (TargetFacts): every op of the run applies with it. */
      learned: `${p}:run:${runId}:learned`,
      outcomes: `${p}:run:${runId}:outcomes`,
      counts: `${p}:run:${runId}:counts`,
      failures: `${p}:run:${runId}:failures`,
      created: `${p}:run:${runId}:created`,
      /** The run's changes, one JSON entry per person and object, in outcome order (src/audit). */
      audit: `${p}:run:${runId}:audit`,
      /** How many audit entries have been sent to the audit stream (each range is claimed once). */
      auditSent: `${p}:run:${runId}:audit-sent`,
      pendingCursor: `${p}:run:${runId}:cursor`,
      /** The one decision taken on a blocked run (DecisionClaim): set once, while the run is pending. */
      decision: `${p}:run:${runId}:decision`,
    }),
  };
}

export type ProfileKeys = ReturnType<typeof profileKeys>;

function profileKeyBase(prefix: string, profile: string): string {
  return `${prefix}:{${prefix}:${profile}}`;
}

/**
 * Where a profile's source keeps state between reads (SourceDeps.keyPrefix): the keys its plug-in
 * names (SourcePlugin.stateKeys) are suffixes of this, in the profile's hash tag.
 */
export function sourceStatePrefix(prefix: string, profile: string): string {
  return `${profileKeyBase(prefix, profile)}:`;
}

/** The rate budget is per target host, shared by all profiles of a deployment. */
export function budgetKey(prefix: string, host: string): string {
  return `${prefix}:{${prefix}:budget}:${host}`;
}

/** BullMQ's own prefix: the hash tag keeps each queue's keys in one slot. */
export function queuePrefix(prefix: string): string {
  return `{${prefix}:queue}`;
}

import { mappingSchema } from '../../../src/config/schema.js';
import type { RequestLogEntry } from '../../../src/emulators/index.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import {
  createScimEmulator,
  DEFAULT_TOKEN,
  type ScimEmulator,
  type ScimEmulatorOptions,
} from '../../../src/emulators/scim/index.js';
import { createTargetHarness, type TargetHarness } from '../target-harness.js';
import { byKey, renamedIn, type ConformanceAdapter, type DayChange, type NormalState } from './adapter.js';

/** group-N -> the SCIM Group team-N; no roles. */
export const scimMapping = { rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] };

export type ScimHarness = TargetHarness<ScimEmulator>;

const startEmulator = (o: ScimEmulatorOptions = {}) => createScimEmulator({ rateLimit: false, ...o });

const targetBlock = (e: { url: string }) => ({ kind: 'scim', baseUrl: e.url, token: DEFAULT_TOKEN, timeoutMs: 5000 });

/** A temp config: CSV source -> a fresh SCIM emulator, on the test Redis with its own prefix. */
export async function createScimHarness(
  redisUrl: string,
  o: {
    emulator?: ScimEmulatorOptions;
    target?: Record<string, unknown>;
    mapping?: Record<string, unknown>;
    policy?: Record<string, unknown>;
  } = {},
): Promise<ScimHarness> {
  const emulator = await startEmulator(o.emulator);
  return createTargetHarness(redisUrl, 's', emulator, {
    target: { ...targetBlock(emulator), ...o.target },
    mapping: { ...scimMapping, ...o.mapping },
    ...(o.policy ? { policy: o.policy } : {}),
  });
}

/** Active users by email (no roles), groups by name with their active members' emails. */
export function scimState(e: ScimEmulator): NormalState {
  const d = e.dump();
  const email = new Map(
    d.users.filter((u) => u.active).map((u) => [u.id, (u.emails.find((m) => m.primary) ?? u.emails[0])!.value]),
  );
  return {
    users: byKey(Object.fromEntries([...email.values()].map((m) => [m, []]))),
    containers: byKey(
      Object.fromEntries(
        d.groups.map((g) => [
          g.displayName,
          g.members
            .map((m) => email.get(m.value))
            .filter((m) => m !== undefined)
            .sort(),
        ]),
      ),
    ),
  };
}

export function expectedScimState(snapshot: Snapshot, mapping: Record<string, unknown> = scimMapping): NormalState {
  const desired = mapDirectory(snapshot, mappingSchema.parse(mapping), { caseInsensitiveNames: true });
  const containers: Record<string, string[]> = {};
  for (const t of desired.teams) if (t.gone === undefined) containers[t.name] = [];
  for (const p of desired.people) for (const t of p.teams) containers[t]!.push(p.email);
  for (const k of Object.keys(containers)) containers[k]!.sort();
  return {
    users: byKey(Object.fromEntries(desired.people.map((p) => [p.email, []]))),
    containers: byKey(containers),
  };
}

/**
 * The fewest writes from `before` to `after` with `maxPerPatch` members per group PATCH: an email
 * change: 1 PATCH of the account (userName and emails; its memberships stay). A group
 * created or renamed: 1 (POST, or PATCH displayName). A group whose member list differs, leavers
 * aside: ceil(members added and removed / maxPerPatch) PATCHes (deleting a user takes them out of
 * their groups). A new address: 1 POST /Users. A user gone (or the old address of an email change): 1 DELETE.
 */
export function scimMinimumWrites(
  before: NormalState,
  after: NormalState,
  change: DayChange,
  maxPerPatch = 100,
): number {
  // An email change is 1 PATCH of the same account: count from a `before` where it had the new address.
  const [from, to] = change.emailChanged ?? [];
  if (from !== undefined && to !== undefined && from in before.users && to in after.users) {
    const { [from]: roles, ...users } = before.users;
    const swap = (m: string) => (m === from ? to : m);
    const moved: NormalState = {
      users: { ...users, [to]: roles! },
      containers: Object.fromEntries(Object.entries(before.containers).map(([k, v]) => [k, v.map(swap)])),
    };
    const { emailChanged: _done, ...rest } = change;
    return 1 + scimMinimumWrites(moved, after, rest, maxPerPatch);
  }
  const was = renamedIn(before, change);
  let n = Object.keys(after.containers).filter((t) => !(t in was)).length;
  if (change.renamed && change.renamed[0] in before.containers) n++;
  const gone = new Set(Object.keys(before.users).filter((u) => !(u in after.users)));
  for (const [team, members] of Object.entries(after.containers)) {
    const had = new Set((was[team] ?? []).filter((m) => !gone.has(m)));
    const now = new Set(members);
    const changed = [...now].filter((m) => !had.has(m)).length + [...had].filter((m) => !now.has(m)).length;
    n += Math.ceil(changed / maxPerPatch);
  }
  n += Object.keys(after.users).filter((u) => !(u in before.users)).length;
  return n + gone.size;
}

/**
 * SCIM 2.0: users created on their own, flat groups renamed in place, a group's member changes in
 * one PATCH (up to maxMembersPerPatch members, more than any scenario team), an email change
 * made in place (userName and emails of the same account).
 */
export const adapter: ConformanceAdapter<ScimEmulator> = {
  kind: 'scim',
  startEmulator: (faults) => startEmulator(faults),
  target: targetBlock,
  mapping: scimMapping,
  renamesContainers: true,
  state: scimState,
  expected: (snapshot) => expectedScimState(snapshot),

  /** An outsider added to team-3, the first member of team-5 taken out of it. */
  handEdits(e, s) {
    const st = e.state;
    const outsider = Object.keys(s.users).find((m) => !s.containers['team-3']!.includes(m))!;
    st.groupByName('team-3')!.members.add(st.userByEmail(outsider)!.id);
    st.groupByName('team-5')!.members.delete(st.userByEmail(s.containers['team-5']![0]!)!.id);
  },

  /**
   * A group created or renamed: 1 (POST, or PATCH displayName). A group whose member list differs,
   * leavers aside: 1 PATCH carrying every add and remove (deleting a user takes them out of their
   * groups). A new address: 1 POST /Users. A user gone (or the old address of an email change): 1 DELETE.
   */
  minimumWrites: (before, after, change) => scimMinimumWrites(before, after, change),

  // POST creates are answered 409 when repeated; a PATCH of a group adds or removes members (a
  // repeat changes nothing); a PATCH of a user sets absolute values, a DELETE removes one resource.
  writeKey: (r: RequestLogEntry) =>
    r.method === 'POST' || (r.method === 'PATCH' && r.path.includes('/Groups/')) ? undefined : `${r.method} ${r.path}`,
};

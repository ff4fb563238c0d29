import { mappingSchema } from '../../../src/config/schema.js';
import type { RequestLogEntry } from '../../../src/emulators/index.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import {
  createChartioEmulator,
  type ChartioEmulator,
  type ChartioEmulatorOptions,
} from '../../../src/emulators/chartio/index.js';
import { createTargetHarness, type TargetHarness } from '../target-harness.js';
import { byKey, containersOf, renamedIn, type ConformanceAdapter, type NormalState } from './adapter.js';

export const SECRET = 'harness-api-secret-6f1e';
const OWNER = 'owner@example.com';
const mapping = { rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] };

export type Harness = TargetHarness<ChartioEmulator>;

const startEmulator = (o: ChartioEmulatorOptions = {}) =>
  createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: SECRET, rateLimit: false, ownerEmail: OWNER, ...o });

const targetBlock = (
  e: { url: string },
  rl: { max: number; duration: number; headroom?: number } = { max: 100_000, duration: 1000 },
) => ({
  kind: 'chartio',
  baseUrl: `${e.url}/v1`,
  org: 'acme',
  apiKey: 'key',
  apiSecret: '${CHARTIO_SECRET:-' + SECRET + '}',
  timeoutMs: 5000,
  rateLimit: { headroom: 1, ...rl },
});

/** A temp config: CSV source (synthetic directory) -> a fresh emulator, on the test Redis with its own prefix. */
export async function createHarness(
  redisUrl: string,
  o: {
    emulator?: ChartioEmulatorOptions;
    policy?: Record<string, unknown>;
    queue?: Record<string, unknown>;
    rateLimit?: { max: number; duration: number; headroom?: number };
    /** The profile's mapping (default: group-N -> team-N) and source (default: the CSV files writeDirectory writes). */
    mapping?: Record<string, unknown>;
    source?: Record<string, unknown>;
    /** Merged into `redis` (a Sentinel set or a Cluster instead of the URL). */
    redis?: Record<string, unknown>;
    /** Other keys of the profile (`schedule`). */
    profile?: Record<string, unknown>;
  } = {},
): Promise<Harness> {
  const emulator = await startEmulator(o.emulator);
  return createTargetHarness(redisUrl, 't', emulator, {
    target: targetBlock(emulator, o.rateLimit),
    mapping: o.mapping ?? mapping,
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.queue ? { queue: o.queue } : {}),
    ...(o.source ? { source: o.source } : {}),
    ...(o.redis ? { redis: o.redis } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
  });
}

/** Team name -> sorted member emails, from the emulator, for exact-state assertions. */
export function teamsState(emulator: ChartioEmulator): Record<string, string[]> {
  return Object.fromEntries(emulator.dump().teams.map((t) => [t.name, [...t.members].sort()]));
}

/**
 * Chartio: no roles; teams, flat; users created on one team; membership added and removed one call
 * each; emails fixed at creation; teams renamed in place.
 */
export const adapter: ConformanceAdapter<ChartioEmulator> = {
  kind: 'chartio',
  startEmulator: (faults) => startEmulator(faults),
  target: (e) => targetBlock(e),
  mapping,
  renamesContainers: true,

  state(e): NormalState {
    const dump = e.dump();
    return {
      users: byKey(Object.fromEntries(dump.users.filter((u) => u.email !== OWNER).map((u) => [u.email, []]))),
      containers: byKey(
        Object.fromEntries(
          dump.teams.filter((t) => !t.isOwner).map((t) => [t.name, t.members.filter((m) => m !== OWNER).sort()]),
        ),
      ),
    };
  },

  expected(snapshot: Snapshot): NormalState {
    const desired = mapDirectory(snapshot, mappingSchema.parse(mapping), { caseInsensitiveNames: true });
    const containers: Record<string, string[]> = {};
    for (const t of desired.teams) if (t.gone === undefined) containers[t.name] = [];
    for (const p of desired.people) for (const t of p.teams) containers[t]!.push(p.email);
    for (const k of Object.keys(containers)) containers[k]!.sort();
    return {
      users: byKey(Object.fromEntries(desired.people.map((p) => [p.email, []]))),
      containers: byKey(containers),
    };
  },

  /** An outsider added to team-3, the first member of team-5 taken out of it. */
  handEdits(e, s) {
    const st = e.state;
    const team = (name: string) => st.teamByName(name)!;
    const outsider = Object.keys(s.users).find((m) => !s.containers['team-3']!.includes(m))!;
    st.addMember(team('team-3').id, st.userByEmail(outsider)!.id);
    st.removeMember(team('team-5').id, st.userByEmail(s.containers['team-5']![0]!)!.id);
  },

  /**
   * A team created or renamed: 1. A new user: 1 POST /users on one of their teams + 1 add per other
   * team (k calls for k teams). A user gone (or whose email changed: the old address): 1 DELETE,
   * their memberships going with it. A kept user: 1 add or remove per membership that differs.
   */
  minimumWrites(before, after, change) {
    const was = renamedIn(before, change);
    let n = Object.keys(after.containers).filter((t) => !(t in was)).length;
    if (change.renamed && change.renamed[0] in before.containers) n++;
    const teamsBefore = containersOf({ users: before.users, containers: was });
    for (const [email, teams] of containersOf(after)) {
      const had = teamsBefore.get(email);
      if (had === undefined) n += Math.max(1, teams.length);
      else n += teams.filter((t) => !had.includes(t)).length + had.filter((t) => !teams.includes(t)).length;
    }
    n += Object.keys(before.users).filter((u) => !(u in after.users)).length;
    return n;
  },

  // POST /teams, POST /users and PATCH /teams/:id/users (add a member) are creates: a repeat gets 409.
  writeKey: (r: RequestLogEntry) =>
    r.method === 'POST' || /\/users$/.test(r.path) ? undefined : `${r.method} ${r.path}`,
};

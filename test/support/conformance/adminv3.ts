import { mappingSchema } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Group, Snapshot } from '../../../src/model/index.js';
import {
  createAdminV3Emulator,
  DEFAULT_KEY,
  DEFAULT_OWNER,
  type AdminV3Emulator,
  type AdminV3EmulatorOptions,
} from '../../../src/emulators/adminv3/index.js';
import { churn } from '../synthetic-directory.js';
import { createTargetHarness, type TargetHarness } from '../target-harness.js';
import { byKey, sameList, type ConformanceAdapter } from './adapter.js';

/** group-0 gives admin, group-1..9 editor, a member of any other group is a viewer. */
export const v3Mapping = {
  roles: [
    { group: 'group-0', role: 'admin' },
    { match: '^group-[1-9]$', role: 'editor' },
    { match: '^group-', role: 'viewer' },
  ],
};

export type V3Harness = TargetHarness<AdminV3Emulator>;

const startEmulator = (o: AdminV3EmulatorOptions = {}) =>
  createAdminV3Emulator({ rateLimit: { max: 100_000, windowMs: 60_000, fixed: true }, ...o });

const targetBlock = (e: { url: string }) => ({
  kind: 'adminv3',
  baseUrl: `${e.url}/v3`,
  token: DEFAULT_KEY,
  keyOwner: DEFAULT_OWNER,
  timeoutMs: 5000,
  rateLimit: { max: 100_000, duration: 60_000, headroom: 0.95 },
});

/** A temp config: CSV source -> a fresh Admin API v3 emulator, on the test Redis with its own prefix. */
export async function createV3Harness(
  redisUrl: string,
  o: {
    emulator?: AdminV3EmulatorOptions;
    target?: Record<string, unknown>;
    mapping?: Record<string, unknown>;
    policy?: Record<string, unknown>;
    queue?: Record<string, unknown>;
    source?: Record<string, unknown>;
  } = {},
): Promise<V3Harness> {
  const emulator = await startEmulator(o.emulator);
  return createTargetHarness(redisUrl, 'v3', emulator, {
    target: { ...targetBlock(emulator), ...o.target },
    mapping: { ...v3Mapping, ...o.mapping },
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.queue ? { queue: o.queue } : {}),
    ...(o.source ? { source: o.source } : {}),
  });
}

export interface V3State {
  /** email -> role of every user with access (active or pending), the key's owner left out. */
  roles: Record<string, string>;
  /** Sorted emails of disabled users. */
  disabled: string[];
}

export function v3State(emulator: AdminV3Emulator): V3State {
  const users = emulator.dump().filter((u) => u.email !== DEFAULT_OWNER);
  return {
    roles: byKey(Object.fromEntries(users.filter((u) => u.status !== 'disabled').map((u) => [u.email, u.role]))),
    disabled: users
      .filter((u) => u.status === 'disabled')
      .map((u) => u.email)
      .sort(),
  };
}

/** email -> role the directory asks for: the highest any rule gives (viewer < editor < admin). */
export function expectedRoles(
  snapshot: Snapshot,
  mapping: Record<string, unknown> = v3Mapping,
): Record<string, string> {
  const desired = mapDirectory(snapshot, mappingSchema.parse(mapping));
  const rank = ['viewer', 'editor', 'admin'];
  const out: Record<string, string> = {};
  for (const p of desired.people) {
    const grants = (p.roles?.[''] ?? []).map((g) => g.role);
    if (grants.length > 0) out[p.email] = grants.reduce((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a));
  }
  return byKey(out);
}

/**
 * A day of 5% churn (leavers, movers, hires, one email change), a person promoted into group-0
 * (admin), group-5 renamed out of the editor rule, group-3 deleted (its members lose editor).
 */
export function workday(base: Snapshot, seed: number): Snapshot {
  const c = churn(base, { share: 0.05, seed });
  const groups: Group[] = c.groups
    .filter((g) => g.sourceId !== 'g3')
    .map((g) => ({
      ...g,
      name: g.sourceId === 'g5' ? 'group-105' : g.name,
      parentIds: g.parentIds.filter((p) => p !== 'g3'),
    }));
  const people = c.people.map((p, i) => ({
    ...p,
    groupIds: i === 7 ? [...p.groupIds, 'g0'] : p.groupIds.filter((g) => g !== 'g3'),
  }));
  return { people, groups, issues: [] };
}

/** The fewest writes from `before` to `after`: an invitation per new address, a PATCH per role change and per leaver. */
export function minimumWrites(before: Record<string, string>, after: Record<string, string>): number {
  let n = 0;
  for (const [email, role] of Object.entries(after)) if (before[email] !== role) n++;
  for (const email of Object.keys(before)) if (!(email in after)) n++;
  return n;
}

export const leaversOf = (before: Record<string, string>, after: Record<string, string>) =>
  Object.keys(before)
    .filter((e) => !(e in after))
    .sort();

const normal = (roles: Record<string, string>) => ({
  users: byKey(Object.fromEntries(Object.entries(roles).map(([e, r]) => [e, [r]]))),
  containers: {},
});

/** Admin API v3: no containers, one role per user given at the invitation, emails fixed at creation. */
export const adapter: ConformanceAdapter<AdminV3Emulator> = {
  kind: 'adminv3',
  startEmulator: (faults) => startEmulator(faults),
  target: targetBlock,
  mapping: v3Mapping,
  renamesContainers: false,
  state: (e) => normal(v3State(e).roles),
  expected: (snapshot) => normal(expectedRoles(snapshot)),

  /** No containers to edit: someone made admin by hand (access the directory does not give), and a user removed by hand. */
  handEdits(e, s) {
    const emails = Object.keys(s.users);
    const promoted = emails.find((m) => s.users[m]![0] !== 'admin')!;
    e.state.byEmail(promoted)!.role = 'admin';
    const removed = emails.find((m) => m !== promoted)!;
    e.state.users.delete(e.state.byEmail(removed)!.id);
  },

  /** A new address: 1 invitation (POST with the role). A role that differs: 1 PATCH. A user gone (or the old address of an email change): 1 DELETE. */
  minimumWrites(before, after) {
    let n = 0;
    for (const [email, roles] of Object.entries(after.users)) if (!sameList(roles, before.users[email])) n++;
    return n + Object.keys(before.users).filter((u) => !(u in after.users)).length;
  },

  // POST /users is a create: a repeat gets 409.
  writeKey: (r) => (r.method === 'POST' ? undefined : `${r.method} ${r.path}`),
};

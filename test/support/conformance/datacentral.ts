import { mappingSchema } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import { labelOf, type Snapshot } from '../../../src/model/index.js';
import { namesOf } from '../../../src/plan/names.js';
import {
  createDcEmulator,
  DEFAULT_API_KEY,
  type DcEmulator,
  type DcEmulatorOptions,
} from '../../../src/emulators/datacentral/index.js';
import { createTargetHarness, type TargetHarness } from '../target-harness.js';
import { byKey, containersOf, sameList, type ConformanceAdapter, type NormalState } from './adapter.js';

/** group-N -> unit team-N (a suffix after the number is kept: a renamed group); group-0 Admin, group-1..9 an RLS role the sync creates; everyone User. */
export const dcMapping = {
  rules: [{ match: '^group-(\\d+)(-.+)?$', team: 'team-$1$2' }],
  roles: [
    { group: 'group-0', role: 'Admin' },
    { match: '^group-[1-9]$', role: 'EMEA Sales' },
  ],
  defaultRole: 'User',
};
export const dcRoles = [{ name: 'EMEA Sales', type: 'RLS', code: 'Region_EMEA' }];

export type DcHarness = TargetHarness<DcEmulator>;

const targetBlock = (e: { url: string }) => ({
  kind: 'datacentral',
  baseUrl: e.url,
  token: DEFAULT_API_KEY,
  timeoutMs: 5000,
  roles: dcRoles,
});

/** A temp config: CSV source -> a fresh tenant emulator, on the test Redis with its own prefix. */
export async function createDcHarness(
  redisUrl: string,
  o: {
    emulator?: DcEmulatorOptions;
    target?: Record<string, unknown>;
    mapping?: Record<string, unknown>;
    policy?: Record<string, unknown>;
    source?: Record<string, unknown>;
  } = {},
): Promise<DcHarness> {
  const emulator = await createDcEmulator(o.emulator);
  return createTargetHarness(redisUrl, 'dc', emulator, {
    target: { ...targetBlock(emulator), ...o.target },
    mapping: { ...dcMapping, ...o.mapping },
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.source ? { source: o.source } : {}),
  });
}

export interface DcUserState {
  roles: string[];
  units: string[];
  firstName: string;
  lastName: string;
}

/** The tenant's users by email (the owner left out), units as paths. */
export function tenantState(emulator: DcEmulator): Record<string, DcUserState> {
  const owner = emulator.options.ownerEmail;
  return Object.fromEntries(
    emulator
      .dump()
      .users.filter((u) => u.email !== owner)
      .map((u) => [u.email, { roles: u.roles, units: u.units, firstName: u.firstName, lastName: u.lastName }]),
  );
}

/** What the directory asks of the tenant, by email; units as paths of the mapped tree. */
export function expectedTenant(
  snapshot: Snapshot,
  o: { mapping?: Record<string, unknown>; units?: 'groups' | 'path'; direct?: boolean } = {},
): Record<string, DcUserState> {
  const desired = mapDirectory(snapshot, mappingSchema.parse({ ...dcMapping, ...o.mapping }), {
    units: o.units ?? 'groups',
    directMembership: o.direct === true,
    caseInsensitiveNames: true,
  });
  const byLabel = new Map(desired.teams.map((t) => [labelOf(t), t]));
  const path = (label: string): string => {
    const t = byLabel.get(label)!;
    return t.under !== undefined ? `${path(t.under)}/${t.name}` : t.name;
  };
  const out: Record<string, DcUserState> = {};
  for (const p of [...desired.people].sort((a, b) => (a.email < b.email ? -1 : 1))) {
    const names = namesOf(p);
    out[p.email] = {
      roles: (p.roles?.[''] ?? []).map((g) => g.role).sort(),
      units: p.teams.map(path).sort(),
      firstName: names.givenName,
      lastName: names.familyName,
    };
  }
  return out;
}

/** Units the expected state needs (every path in the mapped tree). */
export function expectedUnits(snapshot: Snapshot, mapping: Record<string, unknown> = {}): number {
  return mapDirectory(snapshot, mappingSchema.parse({ ...dcMapping, ...mapping }), {
    units: 'groups',
    caseInsensitiveNames: true,
  }).teams.length;
}

/** Users with their roles, units (paths) with their members. */
function normal(users: Record<string, DcUserState>, units: string[]): NormalState {
  const containers: Record<string, string[]> = Object.fromEntries(units.map((u) => [u, []]));
  for (const [email, u] of Object.entries(users)) for (const unit of u.units) (containers[unit] ??= []).push(email);
  for (const k of Object.keys(containers)) containers[k]!.sort();
  return {
    users: byKey(Object.fromEntries(Object.entries(users).map(([e, u]) => [e, [...u.roles].sort()]))),
    containers: byKey(containers),
  };
}

/**
 * DataCentral (whole-user writes): a user's roles and units are set in one call; units (flat here)
 * are created, never renamed or deleted; the RLS role is created by the sync on first use; emails fixed.
 */
export const adapter: ConformanceAdapter<DcEmulator> = {
  // A user's write may first create a role it needs (POST /v1/roles), on demand, once per process.
  writesPerOp: 2,
  kind: 'datacentral',
  startEmulator: (faults) => createDcEmulator(faults),
  // A renamed group gets a unit under its new name, the old one emptied (off, the old unit keeps serving it).
  target: (e) => ({ ...targetBlock(e), units: { createRenamedOUs: true } }),
  mapping: dcMapping,
  renamesContainers: false,
  state: (e) =>
    normal(
      tenantState(e),
      e.dump().units.map((u) => u.path),
    ),
  expected(snapshot) {
    const units = mapDirectory(snapshot, mappingSchema.parse(dcMapping), {
      units: 'groups',
      caseInsensitiveNames: true,
    }).teams.map((t) => t.name);
    return normal(expectedTenant(snapshot), units);
  },

  /** An outsider given unit team-3, the first member of team-5 taken out of it. */
  handEdits(e, s) {
    const unit = (name: string) => [...e.state.units.values()].find((u) => u.name === name)!.id;
    const user = (email: string) => [...e.state.users.values()].find((u) => u.email === email)!;
    const outsider = user(Object.keys(s.users).find((m) => !s.containers['team-3']!.includes(m))!);
    outsider.organizationUnits = [...outsider.organizationUnits, unit('team-3')];
    const member = user(s.containers['team-5']![0]!);
    member.organizationUnits = member.organizationUnits.filter((u) => u !== unit('team-5'));
  },

  /**
   * A unit created (a renamed group's too): 1. The RLS role, the first time anyone holds it: 1. A
   * new user: 1 POST carrying their roles and units. A kept user whose roles or units differ: 1
   * PATCH of both lists. A user gone (or the old address of an email change): 1 DELETE.
   */
  minimumWrites(before, after) {
    let n = Object.keys(after.containers).filter((u) => !(u in before.containers)).length;
    const holds = (s: NormalState, role: string) => Object.values(s.users).some((r) => r.includes(role));
    n += dcRoles.filter((r) => holds(after, r.name) && !holds(before, r.name)).length;
    const unitsBefore = containersOf(before);
    for (const [email, units] of containersOf(after)) {
      const had = unitsBefore.get(email);
      if (had === undefined) n++;
      else if (!sameList(units, had) || !sameList(after.users[email], before.users[email])) n++;
    }
    n += Object.keys(before.users).filter((u) => !(u in after.users)).length;
    return n;
  },

  // POST /users, /organization-units and /roles are creates: a repeat gets 409.
  writeKey: (r) => (r.method === 'POST' ? undefined : `${r.method} ${r.path}`),
};

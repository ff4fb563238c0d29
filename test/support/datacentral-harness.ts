import { mappingSchema } from '../../src/config/schema.js';
import { mapDirectory } from '../../src/mapping/index.js';
import { labelOf, type Snapshot } from '../../src/model/index.js';
import { namesOf } from '../../src/plan/names.js';
import {
  createDcEmulator,
  DEFAULT_API_KEY,
  type DcEmulator,
  type DcEmulatorOptions,
} from '../../src/emulators/datacentral/index.js';
import { createTargetHarness, type TargetHarness } from './target-harness.js';

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
    target: {
      kind: 'datacentral',
      baseUrl: emulator.url,
      token: DEFAULT_API_KEY,
      timeoutMs: 5000,
      roles: dcRoles,
      ...o.target,
    },
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

import { mappingSchema } from '../../src/config/schema.js';
import { mapDirectory } from '../../src/mapping/index.js';
import type { Snapshot } from '../../src/model/index.js';
import {
  createGrafanaEmulator,
  DEFAULT_TOKEN,
  type GrafanaEmulator,
  type GrafanaEmulatorOptions,
} from '../../src/emulators/grafana/index.js';
import { createTargetHarness, type TargetHarness } from './target-harness.js';

export const GRAFANA_ADMIN_PASSWORD = 'harness-admin-pw-93c1';

/** group-0 gives Admin, group-1..9 Editor, everyone else in scope is a Viewer; group-N -> team-N. */
export const grafanaMapping = {
  rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }],
  roles: [
    { group: 'group-0', role: 'Admin' },
    { match: '^group-[1-9]$', role: 'Editor' },
  ],
  defaultRole: 'Viewer',
};

export interface GrafanaHarness extends TargetHarness<GrafanaEmulator> {
  /** Creates the people's accounts as a first SSO sign-in would (auto-assigned to org 1 as Viewer). */
  signIn(people: { email: string; displayName: string }[]): void;
}

/** A temp config: CSV source -> a fresh Grafana emulator, on the test Redis with its own prefix. */
export async function createGrafanaHarness(
  redisUrl: string,
  o: {
    emulator?: GrafanaEmulatorOptions;
    target?: Record<string, unknown>;
    mapping?: Record<string, unknown>;
    policy?: Record<string, unknown>;
  } = {},
): Promise<GrafanaHarness> {
  const emulator = await createGrafanaEmulator({ adminPassword: GRAFANA_ADMIN_PASSWORD, ...o.emulator });
  const base = createTargetHarness(redisUrl, 'g', emulator, {
    target: {
      kind: 'grafana',
      baseUrl: emulator.url,
      token: DEFAULT_TOKEN,
      admin: { user: 'admin', password: GRAFANA_ADMIN_PASSWORD },
      timeoutMs: 5000,
      ...o.target,
    },
    mapping: { ...grafanaMapping, ...o.mapping },
    ...(o.policy ? { policy: o.policy } : {}),
  });
  return {
    ...base,
    signIn(people) {
      for (const p of people)
        if (!emulator.state.userByLoginOrEmail(p.email))
          emulator.api.createUser({ login: p.email, email: p.email, name: p.displayName });
    },
  };
}

export interface OrgState {
  /** email -> role, without the server admin. */
  roles: Record<string, string>;
  /** team -> sorted member emails. */
  teams: Record<string, string[]>;
}

/** One org's users and teams from the emulator, by email. */
export function orgState(emulator: GrafanaEmulator, orgId = 1): OrgState {
  const dump = emulator.dump();
  const email = new Map(dump.users.map((u) => [u.id, u.email]));
  const org = dump.orgs.find((o) => o.id === orgId)!;
  const admins = new Set(dump.users.filter((u) => u.isAdmin).map((u) => u.id));
  return {
    roles: Object.fromEntries(
      org.users
        .filter((u) => !admins.has(u.userId))
        .map((u) => [email.get(u.userId)!, u.role])
        .sort(([a], [b]) => (a! < b! ? -1 : 1)),
    ),
    teams: Object.fromEntries(
      org.teams.map((t) => [
        t.name,
        t.members
          .filter((m) => !admins.has(m.userId))
          .map((m) => email.get(m.userId)!)
          .sort(),
      ]),
    ),
  };
}

/** What the directory asks of one org (everyone in scope has an account). */
export function expectedOrgState(
  snapshot: Snapshot,
  mapping: Record<string, unknown> = grafanaMapping,
  org = 'Main Org.',
): OrgState {
  const desired = mapDirectory(snapshot, mappingSchema.parse(mapping), { defaultOrg: 'Main Org.' });
  const rank = ['Viewer', 'Editor', 'Admin'];
  const roles: Record<string, string> = {};
  const teams: Record<string, string[]> = {};
  for (const t of desired.teams) if (t.type !== 'org' && t.parent === org) teams[t.name] = [];
  for (const p of desired.people) {
    if (!p.teams.includes(org)) continue;
    const grants = (p.roles?.[org] ?? []).map((g) => g.role);
    roles[p.email] = grants.reduce((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a), 'Viewer');
    for (const label of p.teams) if (label.startsWith(`${org} / `)) teams[label.slice(org.length + 3)]!.push(p.email);
  }
  for (const k of Object.keys(teams)) teams[k]!.sort();
  return { roles: Object.fromEntries(Object.entries(roles).sort(([a], [b]) => (a < b ? -1 : 1))), teams };
}

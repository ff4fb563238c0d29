import { mappingSchema } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import {
  createGrafanaEmulator,
  DEFAULT_TOKEN,
  type GrafanaEmulator,
  type GrafanaEmulatorOptions,
} from '../../../src/emulators/grafana/index.js';
import { createTargetHarness, type TargetHarness } from '../target-harness.js';
import { byKey, renamedIn, sameList, type ConformanceAdapter } from './adapter.js';

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

const targetBlock = (e: { url: string }) => ({
  kind: 'grafana',
  baseUrl: e.url,
  token: DEFAULT_TOKEN,
  admin: { user: 'admin', password: GRAFANA_ADMIN_PASSWORD },
  timeoutMs: 5000,
});

const startEmulator = (o: GrafanaEmulatorOptions = {}) =>
  createGrafanaEmulator({ adminPassword: GRAFANA_ADMIN_PASSWORD, ...o });

/** Accounts as a first SSO sign-in makes them, for whoever has none yet. */
function signIn(emulator: GrafanaEmulator, people: { email: string; displayName: string }[]): void {
  for (const p of people)
    if (!emulator.state.userByLoginOrEmail(p.email))
      emulator.api.createUser({ login: p.email, email: p.email, name: p.displayName });
}

/** A temp config: CSV source -> a fresh Grafana emulator, on the test Redis with its own prefix. */
export async function createGrafanaHarness(
  redisUrl: string,
  o: {
    emulator?: GrafanaEmulatorOptions;
    target?: Record<string, unknown>;
    mapping?: Record<string, unknown>;
    policy?: Record<string, unknown>;
    /** The profile's source (default: the CSV files writeDirectory writes). */
    source?: Record<string, unknown>;
    /** Other keys of the profile (`access`). */
    profile?: Record<string, unknown>;
  } = {},
): Promise<GrafanaHarness> {
  const emulator = await startEmulator(o.emulator);
  const base = createTargetHarness(redisUrl, 'g', emulator, {
    target: { ...targetBlock(emulator), ...o.target },
    mapping: { ...grafanaMapping, ...o.mapping },
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.source ? { source: o.source } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
  });
  return { ...base, signIn: (people) => signIn(emulator, people) };
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

const normal = (s: OrgState) => ({
  users: byKey(Object.fromEntries(Object.entries(s.roles).map(([e, r]) => [e, [r]]))),
  containers: byKey(s.teams),
});

/**
 * Grafana 11.3 (whole-team membership): one org, its role per user, teams; people get accounts by
 * signing in (outside the sync), as Viewers of the main org; emails fixed; teams renamed in place.
 */
export const adapter: ConformanceAdapter<GrafanaEmulator> = {
  kind: 'grafana',
  startEmulator: (faults) => startEmulator({ version: '11.3.0', rateLimit: false, ...faults }),
  target: targetBlock,
  mapping: grafanaMapping,
  renamesContainers: true,
  beforeRun: (e, snapshot) =>
    signIn(
      e,
      Object.keys(expectedOrgState(snapshot).roles).map((email) => ({ email, displayName: email })),
    ),
  state: (e) => normal(orgState(e)),
  expected: (snapshot) => normal(expectedOrgState(snapshot)),

  /** An outsider added to team-3, the first member of team-5 taken out of it. */
  handEdits(e, s) {
    const team = (name: string) => [...e.state.teams.values()].find((t) => t.orgId === 1 && t.name === name)!;
    const outsider = Object.keys(s.users).find((m) => !s.containers['team-3']!.includes(m))!;
    e.api.addTeamMember(team('team-3').id, outsider);
    team('team-5').members.delete(e.api.user(s.containers['team-5']![0]!).id);
  },

  /**
   * A team created or renamed: 1. A team whose member list differs, leavers aside: 1 PUT of the whole
   * list (deleting a user takes them out of their teams). A role that
   * differs: 1 PATCH (new people arrive as Viewers by signing in: no write when Viewer is right). A
   * user gone (or the old address of an email change): 1 DELETE.
   */
  minimumWrites(before, after, change) {
    const was = renamedIn(before, change);
    let n = Object.keys(after.containers).filter((t) => !(t in was)).length;
    if (change.renamed && change.renamed[0] in before.containers) n++;
    const gone = new Set(Object.keys(before.users).filter((u) => !(u in after.users)));
    for (const [team, members] of Object.entries(after.containers))
      if (
        !sameList(
          members,
          (was[team] ?? []).filter((m) => !gone.has(m)),
        )
      )
        n++;
    for (const [email, roles] of Object.entries(after.users)) if (!sameList(roles, before.users[email])) n++;
    n += Object.keys(before.users).filter((u) => !(u in after.users)).length;
    return n;
  },

  // POST /api/teams, POST /api/admin/users and POST .../members are creates: a repeat gets 409.
  writeKey: (r) => (r.method === 'POST' ? undefined : `${r.method} ${r.path}`),
};

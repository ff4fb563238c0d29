import { planSync, emptyPlanState } from '../../../src/app/plan-sync.js';
import type { Runtime } from '../../../src/app/runtime.js';
import { mappingSchema } from '../../../src/config/schema.js';
import type { GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import type { Op } from '../../../src/model/index.js';
import type { SourceRead } from '../../../src/sources/source.js';
import { TARGET_KINDS } from '../../../src/targets/registry.js';
import { adapter as adminv3 } from '../conformance/adminv3.js';
import type { ConformanceAdapter as TargetAdapter, ConformanceEmulator } from '../conformance/adapter.js';
import { adapter as chartio } from '../conformance/chartio.js';
import { adapter as datacentral } from '../conformance/datacentral.js';
import { adapter as grafana } from '../conformance/grafana.js';
import { adapter as scim } from '../conformance/scim.js';
import { createAdapterHarness, type TargetHarness } from '../target-harness.js';
import type { ConfAttribute, ConfDirectory } from './directory.js';
import { VALUE_GROUP_PREFIX } from './directory.js';

/** Every target kind's conformance adapter (test/support/conformance/<kind>.ts). */
const TARGET_ADAPTERS: Record<string, TargetAdapter> = {
  adminv3,
  chartio,
  datacentral,
  grafana: grafana as unknown as TargetAdapter,
  scim: scim as unknown as TargetAdapter,
};

/** Roles the equivalence mapping gives, per target kind: Engineering's, and any location's. None: no roles. */
const ROLES: Record<string, { department: string; location: string } | undefined> = {
  adminv3: { department: 'editor', location: 'viewer' },
  chartio: undefined,
  datacentral: { department: 'Admin', location: 'User' },
  grafana: { department: 'Editor', location: 'Viewer' },
  // The conformance SCIM server exposes no roles.
  scim: undefined,
};

/** The department whose people get the higher role. */
const ROLE_DEPARTMENT = 'Engineering';
const TEAM_TEMPLATE: Record<ConfAttribute, string> = { department: '', location: 'Office ' };

/**
 * The mapping on attributes: a team per department (`${value}`) and per location (`Office ${value}`),
 * Engineering a higher role, everyone with a location the base role. `names`: the source's
 * attribute names.
 */
export function attributeMapping(kind: string, names: Record<ConfAttribute, string>): Record<string, unknown> {
  const roles = ROLES[kind];
  return {
    rules: (['department', 'location'] as const).map((a) => ({
      attribute: names[a],
      team: `${TEAM_TEMPLATE[a]}\${value}`,
    })),
    roles: roles
      ? [
          {
            attribute: names.department,
            match: `^${ROLE_DEPARTMENT}$`,
            role: roles.department,
          },
          { attribute: names.location, role: roles.location },
        ]
      : [],
  };
}

/** The same mapping on one group per value (asValueGroups): `^dept-(.*)$` -> `$1`, `^loc-(.*)$` -> `Office $1`. */
export function valueGroupMapping(kind: string): Record<string, unknown> {
  const roles = ROLES[kind];
  return {
    rules: (['department', 'location'] as const).map((a) => ({
      match: `^${VALUE_GROUP_PREFIX[a]}(.*)$`,
      team: `${TEAM_TEMPLATE[a]}$1`,
    })),
    roles: roles
      ? [
          { group: `${VALUE_GROUP_PREFIX.department}${ROLE_DEPARTMENT}`, role: roles.department },
          { match: `^${VALUE_GROUP_PREFIX.location}`, role: roles.location },
        ]
      : [],
  };
}

/** A target of each kind with its emulator, as the first sync finds it: empty (Grafana: people signed in once). */
export interface EmptyTargets {
  kinds: string[];
  /** The plan of `read` mapped with `mapping`, through planSync with a first run's (empty) state. */
  plan(kind: string, read: SourceRead, mapping: Record<string, unknown>): Promise<Op[]>;
  close(): Promise<void>;
}

export async function emptyTargets(redisUrl: string, people: ConfDirectory['people']): Promise<EmptyTargets> {
  const missing = TARGET_KINDS.filter((k) => !TARGET_ADAPTERS[k]);
  if (missing.length > 0) throw new Error(`no equivalence target for target kind(s) ${missing.join(', ')}`);
  const open: { kind: string; h: TargetHarness<ConformanceEmulator>; rt: Runtime }[] = [];
  try {
    for (const kind of TARGET_KINDS) {
      const h = await createAdapterHarness(redisUrl, TARGET_ADAPTERS[kind]!);
      open.push({ kind, h, rt: await h.runtime() });
      // Grafana makes accounts at a first sign-in only: everyone has signed in once.
      if (kind === 'grafana')
        for (const p of people)
          (h.emulator as unknown as GrafanaEmulator).api.createUser({
            login: p.email,
            email: p.email,
            name: p.displayName,
          });
    }
  } catch (err) {
    for (const o of open) await o.h.close();
    throw err;
  }
  return {
    kinds: [...TARGET_KINDS],
    async plan(kind, read, mapping) {
      const { rt } = open.find((o) => o.kind === kind)!;
      const profile = { ...rt.profile, mapping: mappingSchema.parse(mapping) };
      const source = { kind: rt.source.kind, read: () => Promise.resolve(read) };
      const sp = await planSync(rt.config, profile, source, rt.target, rt.log, {
        mode: 'full',
        state: emptyPlanState(),
        now: Date.parse('2026-06-01T09:00:00Z'),
      });
      return sp.plan.phases.flat();
    },
    async close() {
      for (const o of open) await o.h.close();
    },
  };
}

/** What an op's identity, order and wording are made of: left out when comparing what ops do. */
const IDENTITY = new Set(['key', 'teamKey', 'dependsOn', 'reason', 'sourceId']);

const byJson = (a: unknown, b: unknown) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

function strip(v: unknown, ids: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => strip(x, ids)).sort(byJson);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (IDENTITY.has(k) || (!ids && k === 'id')) continue;
    // A listed member's `after`: keys of the ops it waits for.
    if (k === 'after' && Array.isArray(x)) continue;
    out[k] = strip(x, ids);
  }
  return out;
}

/**
 * Ops as what they do: kind, users by email (and target id), teams by name, roles, member lists;
 * without op keys, desired keys, dependencies, reasons and source ids; lists and ops sorted.
 * `ids: false`: without target ids either (ops planned against two emulators).
 */
export function normaliseOps(ops: Op[], o: { ids?: boolean } = {}): unknown[] {
  return ops.map((op) => strip(op, o.ids ?? true)).sort(byJson);
}

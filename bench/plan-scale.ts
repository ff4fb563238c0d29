// Planning cost: mapping + planning of a synthetic directory against an empty and a matching org.
// Pure CPU work, no I/O: measures the planning step itself. Run: npm run bench -- plan
import { CHARTIO_CAPABILITIES } from '../src/targets/chartio/index.js';
import { policySchema } from '../src/config/schema.js';
import { mapDirectory } from '../src/mapping/index.js';
import { makePlan } from '../src/plan/make-plan.js';
import { emptyLinks } from '../src/plan/plan-input.js';
import type { Actual, Desired } from '../src/model/index.js';
import { generateDirectory } from '../test/support/synthetic-directory.js';
import { scaleMapping } from '../test/support/scale-scenario.js';

export interface PlanScaleResult {
  people: number;
  groups: number;
  memberships: number;
  mapMs: number;
  planEmptyMs: number;
  planMatchedMs: number;
  /** CPU time (user + system) of mapping + planning from empty: on a shared machine wall time also counts other processes. */
  cpuMs: number;
  writesFromEmpty: number;
  writesWhenMatched: number;
  heapDeltaMb: number;
  maxRssMb: number;
}

const policy = policySchema.parse({ maxDeletes: 1_000_000, maxDeletePercent: 100 });
const caps = { ...CHARTIO_CAPABILITIES, maxUsers: 1_000_000, maxTeams: 1_000_000 };

function matching(desired: Desired): Actual {
  const teams = desired.teams.map((t, i) => ({
    id: String(i + 1),
    name: t.name,
    ...(t.name === 'Owners' ? { keepsMember: true } : {}),
    memberIds: [] as string[],
  }));
  const byName = new Map(teams.map((t) => [t.name, t]));
  const users = desired.people.map((p, i) => {
    const id = String(100_000 + i);
    const teamIds = p.teams.map((n) => byName.get(n)!.id);
    for (const n of p.teams) byName.get(n)!.memberIds.push(id);
    return { id, email: p.email, displayName: p.displayName, teamIds };
  });
  return { users, teams };
}

export function planScale(people: number, groups: number, memberships: number): PlanScaleResult {
  const snapshot = generateDirectory({ people, groups, memberships, nestingDepth: 2, seed: 42 });
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const desired = mapDirectory(snapshot, scaleMapping);
  const t1 = performance.now();
  const base = {
    links: emptyLinks(),
    policy,
    capabilities: caps,
    tombstones: new Map(),
    now: 0,
    readCalls: 0,
    ratePerSecond: 15.8,
  };
  const owners = { id: '0', name: 'Owners', keepsMember: true, memberIds: [] };
  const fromEmpty = makePlan({ ...base, desired, actual: { users: [], teams: [owners] } }).plan;
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  const actual = matching(desired);
  const t3 = performance.now();
  const matched = makePlan({ ...base, desired, actual }).plan;
  const t4 = performance.now();
  const heap1 = process.memoryUsage().heapUsed;
  return {
    people,
    groups,
    memberships,
    mapMs: t1 - t0,
    planEmptyMs: t2 - t1,
    planMatchedMs: t4 - t3,
    cpuMs: (cpu.user + cpu.system) / 1000,
    writesFromEmpty: fromEmpty.phases.flat().length,
    writesWhenMatched: matched.phases.flat().length,
    heapDeltaMb: (heap1 - heap0) / 2 ** 20,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

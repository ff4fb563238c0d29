// The cost of attributes in planning: the same synthetic directory mapped and planned twice, once
// with groups only (the plan-scale mapping) and once with six attributes on every person and rules
// that read them (a team per department, a condition rule, a role-free scope filter on type and end
// date). Pure CPU, no I/O. `npx tsx bench/attribute-scale.ts [people] [groups] [memberships]` runs
// both variants in fresh processes (the median of 3 each) and prints the ratio; bench/run.ts too.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mappingSchema, policySchema } from '../src/config/schema.js';
import { mapDirectory } from '../src/mapping/index.js';
import type { Snapshot } from '../src/model/index.js';
import { makePlan } from '../src/plan/make-plan.js';
import { readAttributes, SharedValues } from '../src/sources/attributes.js';
import { emptyLinks } from '../src/plan/plan-input.js';
import { CHARTIO_CAPABILITIES } from '../src/targets/chartio/index.js';
import { generateDirectory } from '../test/support/synthetic-directory.js';
import { scaleMapping } from '../test/support/scale-scenario.js';

/** The goal: mapping + planning with attributes costs at most this times the groups-only run. */
export const ATTRIBUTE_PLAN_GOAL = 1.2;
/** The size the goal is set for (#20: 100,000 people with six attributes each). */
const GOAL_PEOPLE = 100_000;

export const ATTRIBUTES = ['department', 'title', 'location', 'employeeType', 'costCenter', 'endDate'] as const;

const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Legal', 'People', 'Operations'];
const LOCATIONS = [
  'London',
  'Berlin',
  'New York',
  'Singapore',
  'Paris',
  'Toronto',
  'Sydney',
  'Madrid',
  'Tokyo',
  'Dublin',
];
const TITLES = ['Engineer', 'Senior Engineer', 'Analyst', 'Manager', 'Head of Sales', 'Head of Finance', 'Director'];

/** Six attributes for person i: deterministic, with a 5% share of contractors and 10% with an end date. */
export function attributesFor(i: number): Record<string, string[]> {
  return {
    department: [DEPARTMENTS[i % DEPARTMENTS.length]!],
    title: [TITLES[(i * 7) % TITLES.length]!],
    location: [LOCATIONS[(i * 3) % LOCATIONS.length]!],
    employeeType: [i % 20 === 0 ? 'Contractor' : 'Employee'],
    costCenter: [`CC-${1000 + (i % 250)}`],
    // A day far ahead (in scope) for most who have one, a passed one for 1 in 100.
    endDate: [i % 100 === 5 ? '2020-06-30' : '2099-12-31'],
  };
}

/** The groups-only mapping plus rules on the six attributes (every one is read by some rule). */
export const attributeMapping = mappingSchema.parse({
  groups: { 'group-0': 'Owners' },
  rules: [
    { match: '^group-(\\d+)$', team: 'team-$1' },
    { attribute: 'department', team: 'dept-${value}' },
    {
      where: [
        { attribute: 'title', matches: '^Head of' },
        { attribute: 'location', in: ['London', 'Berlin', 'Paris'] },
      ],
      team: 'EMEA leads',
    },
    { attribute: 'costCenter', match: '^CC-10[0-4]\\d$', team: 'cost-centre-${value}' },
  ],
  people: {
    where: [
      { attribute: 'employeeType', notIn: ['Contractor'] },
      { attribute: 'endDate', date: 'notPassed' },
    ],
  },
});

/** The same rules without the date condition: shows what the date filter costs on its own. */
export const attributeMappingNoDate = mappingSchema.parse({
  ...attributeMapping,
  people: { ...attributeMapping.people, where: attributeMapping.people.where.filter((c) => c.date === undefined) },
});

export type Variant = 'groups only' | 'six attributes' | 'no date filter';

export interface AttributeScaleResult {
  variant: Variant;
  people: number;
  groups: number;
  memberships: number;
  mapMs: number;
  planMs: number;
  /** CPU time (user + system) of mapping + planning from empty. */
  cpuMs: number;
  inScope: number;
  teams: number;
  writes: number;
}

const policy = policySchema.parse({ maxDeletes: 1_000_000, maxDeletePercent: 100 });
const caps = { ...CHARTIO_CAPABILITIES, maxUsers: 1_000_000, maxTeams: 1_000_000 };

export function attributeScale(
  people: number,
  groups: number,
  memberships: number,
  variant: Variant,
): AttributeScaleResult {
  const withAttributes = variant !== 'groups only';
  const generated = generateDirectory({ people, groups, memberships, nestingDepth: 2, seed: 42 });
  // Attributes as the sources hand them over: one-value lists shared by everyone with the value.
  const shared = new SharedValues();
  const snapshot: Snapshot = withAttributes
    ? {
        ...generated,
        people: generated.people.map((p, i) => {
          const values = attributesFor(i);
          return { ...p, attributes: readAttributes(ATTRIBUTES, (n) => values[n], shared)! };
        }),
      }
    : generated;
  const mapping =
    variant === 'groups only' ? scaleMapping : variant === 'six attributes' ? attributeMapping : attributeMappingNoDate;
  global.gc?.();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const desired = mapDirectory(snapshot, mapping, { now: Date.parse('2026-12-01T12:00:00Z'), timeZone: 'UTC' });
  const t1 = performance.now();
  const owners = { id: '0', name: 'Owners', keepsMember: true, memberIds: [] };
  const plan = makePlan({
    links: emptyLinks(),
    policy,
    capabilities: caps,
    tombstones: new Map(),
    now: 0,
    readCalls: 0,
    ratePerSecond: 15.8,
    desired,
    actual: { users: [], teams: [owners] },
  }).plan;
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  return {
    variant,
    people,
    groups,
    memberships,
    mapMs: t1 - t0,
    planMs: t2 - t1,
    cpuMs: (cpu.user + cpu.system) / 1000,
    inScope: desired.people.length,
    teams: desired.teams.length,
    writes: plan.phases.flat().length,
  };
}

const self = fileURLToPath(import.meta.url);

/** Both variants, each in `runs` fresh processes (one run on a shared machine can be 30% off); the medians. */
export function attributeScaleMedians(
  people = 100_000,
  groups = 5_000,
  memberships = 500_000,
  runs = 3,
): {
  without: AttributeScaleResult;
  with: AttributeScaleResult;
  noDate: AttributeScaleResult;
  ratio: number;
  wallRatio: number;
} {
  const median = (variant: Variant) => {
    const all = Array.from(
      { length: runs },
      () =>
        JSON.parse(
          execFileSync(
            process.execPath,
            ['--import', 'tsx', self, 'child', String(people), String(groups), String(memberships), variant],
            { encoding: 'utf8', maxBuffer: 1 << 20 },
          ),
        ) as AttributeScaleResult,
    );
    return all.sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(runs / 2)]!;
  };
  const without = median('groups only');
  const withAttrs = median('six attributes');
  return {
    without,
    with: withAttrs,
    noDate: median('no date filter'),
    ratio: withAttrs.cpuMs / without.cpuMs,
    wallRatio: (withAttrs.mapMs + withAttrs.planMs) / (without.mapMs + without.planMs),
  };
}

export function attributeScaleLines(r: ReturnType<typeof attributeScaleMedians>): string[] {
  const f = (n: number, d = 0, w = 9) => n.toFixed(d).padStart(w);
  return [
    'variant            people  groups  members |   map ms  plan ms   CPU ms | in scope   teams   writes',
    ...[r.without, r.with, r.noDate].map(
      (x) =>
        `${x.variant.padEnd(16)}${String(x.people).padStart(8)}${String(x.groups).padStart(8)}${String(x.memberships).padStart(9)} |${f(x.mapMs)}${f(x.planMs)}${f(x.cpuMs)} |${String(x.inScope).padStart(9)}${String(x.teams).padStart(8)}${String(x.writes).padStart(9)}`,
    ),
    `with attributes / groups only: x${r.ratio.toFixed(2)} CPU (x${r.wallRatio.toFixed(2)} wall); goal x${ATTRIBUTE_PLAN_GOAL.toFixed(1)}: ${r.with.people < GOAL_PEOPLE ? `set for ${GOAL_PEOPLE.toLocaleString('en')} people, not judged on ${r.with.people.toLocaleString('en')} (a quick run)` : r.ratio <= ATTRIBUTE_PLAN_GOAL ? 'met' : 'NOT met'}; per write x${(r.with.cpuMs / r.with.writes / (r.without.cpuMs / r.without.writes)).toFixed(2)}; without the date condition x${(r.noDate.cpuMs / r.without.cpuMs).toFixed(2)} CPU`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === 'child') {
    const [people, groups, memberships] = args.slice(1, 4).map(Number);
    process.stdout.write(JSON.stringify(attributeScale(people!, groups!, memberships!, args[4] as Variant)) + '\n');
  } else {
    const [people, groups, memberships] = args.map(Number);
    const r = attributeScaleMedians(people || undefined, groups || undefined, memberships || undefined);
    process.stdout.write(attributeScaleLines(r).join('\n') + '\n');
  }
}

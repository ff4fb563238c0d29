// npm run bench [-- --quick]: every number below is measured now; prints tables, writes bench/results.json.
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PlanScaleResult } from './plan-scale.js';
import { pipeline } from './pipeline.js';
import { ldapAttributesLines, ldapAttributesRead, ldapRead } from './ldap-read.js';
import { attributeScaleLines, attributeScaleMedians } from './attribute-scale.js';
import { entraRead, formatEntraRows } from './entra-read.js';
import { efficiency } from './efficiency.js';
import { redisMemoryPer10k } from './redis-memory.js';
import { scaleOut } from './scale-out.js';
import { grafanaCalls } from './grafana.js';
import { datacentralCalls } from './datacentral.js';
import { adminv3Bench } from './adminv3.js';
import { clusterScaleOut } from './cluster-scale.js';

const quick = process.argv.includes('--quick');
const out = (s = '') => process.stdout.write(s + '\n');
const f = (n: number, d = 1, w = 9) => n.toFixed(d).padStart(w);
const results: Record<string, unknown> = { at: new Date().toISOString(), quick };

// 1. Budget use: achieved calls per second / the configured budget, latency 150-300 ms, zero 429.
const budgets = [
  await pipeline('scaled budget 5000/30s, latency 150-300 ms', {
    people: 1000,
    latencyMs: [150, 300],
    budget: { max: 5000, duration: 30_000 },
    concurrency: 64,
  }),
  ...(quick
    ? []
    : [
        await pipeline('seed budget 5000/300s, latency 150-300 ms', {
          people: 1000,
          latencyMs: [150, 300],
          budget: { max: 5000, duration: 300_000 },
          concurrency: 16,
        }),
      ]),
];
results.budget = budgets;
out('1. Budget use (BullMQ on Redis -> emulator over HTTP, emulator limit = budget)');
out('scenario                                         ops   seconds    ops/s  budget/s  share   429s');
for (const p of budgets)
  out(
    `${p.scenario.padEnd(45)}${String(p.ops).padStart(6)}${f(p.seconds)}${f(p.opsPerSecond)}${f(p.budgetPerSecond ?? 0)}${f(p.budgetShare ?? 0, 3, 7)}${String(p.rateLimited).padStart(7)}`,
  );

// 2. Call efficiency: writes / minimal (minimal computed from the generated directories).
const eff = await efficiency(quick ? 500 : 2000, quick ? 40 : 150);
results.efficiency = eff;
out('\n2. Call efficiency');
out('scenario                    writes  minimal  writes/minimal  reads');
for (const r of eff)
  out(
    `${r.scenario.padEnd(26)}${String(r.writes).padStart(8)}${String(r.minimal).padStart(9)}${f(r.ratio, 2, 16)}${String(r.reads).padStart(7)}`,
  );

// 3. Engine cost.
const sizes: [number, number, number][] = quick
  ? [
      [1_000, 300, 5_000],
      [10_000, 2_000, 50_000],
    ]
  : [
      [1_000, 300, 5_000],
      [10_000, 2_000, 50_000],
      [50_000, 2_000, 250_000],
      [100_000, 5_000, 500_000],
    ];
const child = fileURLToPath(new URL('./plan-child.ts', import.meta.url));
// Each size in three fresh processes, the median kept: one run on a shared machine can be 30% off.
const planning = sizes.map(([p, g, m]) => {
  const runs = [0, 1, 2].map(
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', child, String(p), String(g), String(m)], {
          encoding: 'utf8',
        }),
      ) as PlanScaleResult,
  );
  return runs.sort((a, b) => a.mapMs + a.planEmptyMs - (b.mapMs + b.planEmptyMs))[1]!;
});
results.planning = planning;
out('\n3. Engine cost: planning (mapping + plan, pure CPU; the median of 3 processes per size)');
out(
  '   people   groups  members |   map ms  empty ms matched ms  ms/1k people  CPU ms  CPU ms/1k | writes(empty) | max RSS MB',
);
for (const r of planning)
  out(
    `${String(r.people).padStart(9)}${String(r.groups).padStart(9)}${String(r.memberships).padStart(9)} |${f(r.mapMs)}${f(r.planEmptyMs)}${f(r.planMatchedMs)}${f((r.mapMs + r.planEmptyMs) / (r.people / 1000), 2, 14)}${f(r.cpuMs, 0, 8)}${f(r.cpuMs / (r.people / 1000), 1, 11)} | ${String(r.writesFromEmpty).padStart(13)} |${f(r.maxRssMb, 0, 11)}`,
  );
const per1k = (r: PlanScaleResult) => r.cpuMs / (r.people / 1000);
const [small, big] = [planning.find((r) => r.people === 10_000), planning.find((r) => r.people === 100_000)];
if (small && big)
  out(
    `cost per 1,000 people (CPU), 100,000 vs 10,000: x${(per1k(big) / per1k(small)).toFixed(2)} (flat = 1.00); 100,000: plan ${(big.mapMs + big.planEmptyMs).toFixed(0)} ms wall, ${big.cpuMs.toFixed(0)} ms CPU, peak RSS ${big.maxRssMb.toFixed(0)} MB`,
  );
// Attributes: the same directory planned with six attributes per person and rules on them, vs groups only.
const attrPeople: [number, number, number] = quick ? [10_000, 2_000, 50_000] : [100_000, 5_000, 500_000];
const attributePlanning = attributeScaleMedians(...attrPeople);
results.attributePlanning = attributePlanning;
out(
  `\nplanning with attributes (six per person, rules on all six, a scope filter on type and end date; the median of 3 processes each):`,
);
for (const line of attributeScaleLines(attributePlanning)) out(line);
const engine = await pipeline('no limit, no latency', { people: quick ? 3000 : 6000, concurrency: 32 });
const memory = await redisMemoryPer10k();
results.pipeline = engine;
results.redisMemory = memory;
out(
  `pipeline, one process, no limit, no latency: ${engine.ops} ops in ${engine.seconds.toFixed(2)} s = ${Math.round(engine.opsPerSecond)} ops/s`,
);
out(
  `Redis memory for 10,000 queued ops: ${(memory.bytesPer10k / 2 ** 20).toFixed(1)} MiB (${Math.round(memory.bytesPer10k / 10_000)} B per op, ${memory.jobs} jobs)`,
);
out(
  `Redis memory for a stored plan of 10,000 ops: ${(memory.planBytesPer10k / 2 ** 20).toFixed(1)} MiB (${Math.round(memory.planBytesPer10k / 10_000)} B per op)`,
);

// 4. Scale-out.
const scale = [];
for (const n of quick ? [1, 2] : [1, 2, 4]) scale.push(await scaleOut(n, quick ? 1500 : 3000));
scale.push(await scaleOut(2, quick ? 600 : 1200, { max: 5000, duration: 30_000 }));
results.scaleOut = scale;
out('\n4. Scale-out (worker processes on one Redis, one emulator)');
out('processes  budget          ops   seconds    ops/s  max calls/s (5 s window)  budget/s  429s');
for (const r of scale)
  out(
    `${String(r.processes).padStart(9)}  ${r.budget.padEnd(12)}${String(r.ops).padStart(6)}${f(r.seconds)}${f(r.opsPerSecond)}${f(r.maxCallsPerSecond, 1, 26)}${r.budgetPerSecond ? f(r.budgetPerSecond) : '        -'}${String(r.rateLimited).padStart(6)}`,
  );

// 5. Source read.
const ldap = await ldapRead(10_000);
results.ldap = ldap;
out(
  `\n5. LDAP full read (real slapd): ${ldap.people} people in ${ldap.groups} groups, ${ldap.seconds.toFixed(2)} s, ${Math.round(ldap.peoplePerSecond)} people/s, ${ldap.requests} requests`,
);

const ldapAttrs = await ldapAttributesRead(10_000);
results.ldapAttributes = ldapAttrs;
out(
  `LDAP full read with six attributes per person vs none (each on its own slapd, read in turns, median of ${ldapAttrs.with.rounds}):`,
);
for (const line of ldapAttributesLines(ldapAttrs)) out(line);
const entra = entraRead(10_000, 300, quick ? 1 : 3);
results.entra = entra;
out('\nEntra full read (fake Graph over HTTPS, no latency): 10,000 people in 300 groups nested three deep');
for (const line of formatEntraRows(entra)) out(line);

// 6. Grafana: calls per 1,000 memberships with and without whole-team membership.
const grafana = await grafanaCalls(quick ? 500 : 2000, quick ? 20 : 80);
results.grafana = grafana;
out('\n6. Grafana backfill into an org where everyone signed in (teams + roles), then a 5% churn step');
out(
  'version   membership   memberships  membership calls  calls/1k memberships  all writes  seconds  churn writes  reads/sync',
);
for (const r of grafana)
  out(
    `${r.version.padEnd(10)}${r.membership.padEnd(13)}${String(r.memberships).padStart(11)}${String(r.membershipCalls).padStart(18)}${f(r.callsPer1kMemberships, 1, 22)}${String(r.backfillWrites).padStart(12)}${f(r.backfillSeconds, 2)}${String(r.churnWrites).padStart(14)}${String(r.reads).padStart(12)}`,
  );

// 7. DataCentral: one whole-user write per changed user.
const dc = await datacentralCalls(quick ? 500 : 2000, quick ? 20 : 80);
results.datacentral = dc;
out('\n7. DataCentral backfill into an empty tenant (units nested as the groups), then a 5% churn step');
out('step        people  units  writes  minimum  writes/minimum  max writes/user  seconds  reads');
for (const r of dc)
  out(
    `${r.step.padEnd(10)}${String(r.people).padStart(8)}${String(r.units).padStart(7)}${String(r.writes).padStart(8)}${String(r.minimum).padStart(9)}${f(r.writes / r.minimum, 2, 16)}${String(r.maxWritesPerUser).padStart(17)}${f(r.seconds, 2)}${String(r.reads).padStart(7)}`,
  );

// 8. Admin API v3: writes against the minimum, and a header-driven budget shared by two processes.
const v3 = await adminv3Bench(quick ? 500 : 2000, quick ? 20 : 80);
results.adminv3 = v3;
out(
  '\n8. Admin API v3 (roles only): writes vs minimum, and the budget two processes on one key get from X-RateLimit-* headers',
);
out(
  `backfill ${v3.people} people: ${v3.backfillWrites} writes (minimum ${v3.backfillMinimum}); 5% churn day: ${v3.churnWrites} writes (minimum ${v3.churnMinimum})`,
);
const b = v3.budget;
out(
  `budget (server 100 per 4 s per key, config twice that): ${b.calls} calls in ${b.seconds.toFixed(1)} s = ${b.callsPerSecond.toFixed(1)}/s of ${b.serverPerSecond}/s; share of the budget (95%) in full windows ${(b.share * 100).toFixed(1)}%; 429s ${b.rateLimited}; second process ran ${b.secondProcessOps} ops`,
);

// 9. The same scale-out on a 3-primary Redis Cluster.
const onCluster = await clusterScaleOut(quick ? 1500 : 3000, quick ? [1, 2] : [1, 2, 4]);
results.clusterScaleOut = onCluster;
out('\n9. Scale-out on a 3-primary Redis Cluster (loopback), no budget');
out('processes     ops   seconds    ops/s');
for (const r of onCluster)
  out(`${String(r.processes).padStart(9)}${String(r.ops).padStart(8)}${f(r.seconds)}${f(r.opsPerSecond)}`);

writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
out('\nwritten: bench/results.json');

// npm run bench [-- --quick]: prints tables of measured numbers and writes bench/results.json.
import { writeFileSync } from 'node:fs';
import { planScale } from './plan-scale.js';
import { pipeline } from './pipeline.js';
import { ldapRead } from './ldap-read.js';

const quick = process.argv.includes('--quick');
const sizes: [number, number, number][] = quick ? [[10_000, 2_000, 50_000]] : [[1_000, 300, 5_000], [10_000, 2_000, 50_000], [50_000, 2_000, 250_000]];
const planning = sizes.map(([p, g, m]) => planScale(p, g, m));

const fmt = (n: number, d = 1) => n.toFixed(d).padStart(9);
const out = (s: string) => process.stdout.write(s + '\n');
out('\nPlanning (mapping + plan, pure CPU)');
out('   people   groups  members |   map ms  empty ms matched ms | writes(empty) writes(matched) | heap Δ MB  max RSS MB');
for (const r of planning) {
  out(`${String(r.people).padStart(9)}${String(r.groups).padStart(9)}${String(r.memberships).padStart(9)} |${fmt(r.mapMs)}${fmt(r.planEmptyMs)}${fmt(r.planMatchedMs)} | ${String(r.writesFromEmpty).padStart(13)} ${String(r.writesWhenMatched).padStart(15)} |${fmt(r.heapDeltaMb)}${fmt(r.maxRssMb, 0)}`);
}

const pipelines = [
  await pipeline('scaled budget 5000/30s, latency 20-50 ms', { people: quick ? 600 : 1000, latencyMs: [20, 50], budget: { max: 5000, duration: 30_000 } }),
  await pipeline('no limit, no latency', { people: quick ? 2000 : 5000 }),
];
out('\nPipeline (BullMQ on Redis -> emulator over HTTP)');
out('scenario                                      ops   seconds    ops/s  budget/s  share   429s');
for (const p of pipelines) {
  out(`${p.scenario.padEnd(42)}${String(p.ops).padStart(6)}${fmt(p.seconds)}${fmt(p.opsPerSecond)}${p.budgetPerSecond ? fmt(p.budgetPerSecond) : '        -'}${p.budgetShare ? fmt(p.budgetShare, 3).slice(2) : '      -'}${String(p.rateLimited).padStart(7)}`);
}
const ldap = await ldapRead(10_000);
out('\nLDAP source (real slapd, full read)');
out(`${ldap.people} people, ${ldap.groups} groups: ${ldap.seconds.toFixed(2)} s, ${Math.round(ldap.peoplePerSecond)} people/s, ${ldap.requests} requests`);
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), quick, planning, pipelines, ldap }, null, 2) + '\n');

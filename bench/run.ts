// npm run bench [-- --quick]: prints a table of measured numbers and writes bench/results.json.
import { writeFileSync } from 'node:fs';
import { planScale } from './plan-scale.js';

const quick = process.argv.includes('--quick');
const sizes: [number, number, number][] = quick ? [[10_000, 2_000, 50_000]] : [[1_000, 300, 5_000], [10_000, 2_000, 50_000], [50_000, 2_000, 250_000]];
const planning = sizes.map(([p, g, m]) => planScale(p, g, m));

const fmt = (n: number, d = 1) => n.toFixed(d).padStart(9);
process.stdout.write('\nPlanning (mapping + plan, pure CPU)\n');
process.stdout.write('   people   groups  members |   map ms  empty ms matched ms | writes(empty) writes(matched) | heap Δ MB  max RSS MB\n');
for (const r of planning) {
  process.stdout.write(`${String(r.people).padStart(9)}${String(r.groups).padStart(9)}${String(r.memberships).padStart(9)} |${fmt(r.mapMs)}${fmt(r.planEmptyMs)}${fmt(r.planMatchedMs)} | ${String(r.writesFromEmpty).padStart(13)} ${String(r.writesWhenMatched).padStart(15)} |${fmt(r.heapDeltaMb)}${fmt(r.maxRssMb, 0)}\n`);
}
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), quick, planning }, null, 2) + '\n');

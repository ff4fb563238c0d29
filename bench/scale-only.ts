// Only the scale-out rows (one Redis and a 3-primary Cluster), for a quick look on a quiet machine:
// npx tsx bench/scale-only.ts [people]
import { clusterScaleOut } from './cluster-scale.js';
import { scaleOut } from './scale-out.js';

const people = Number(process.argv[2] ?? 3000);
const one = [];
for (const n of [1, 2, 4]) one.push(await scaleOut(n, people));
const cluster = await clusterScaleOut(people, [1, 2, 4]);
console.log('processes   one Redis ops/s   Cluster ops/s   (ops per run)');
for (const [i, r] of one.entries())
  console.log(
    `${String(r.processes).padStart(9)}${r.opsPerSecond.toFixed(0).padStart(18)}${cluster[i]!.opsPerSecond.toFixed(0).padStart(16)}   (${r.ops})`,
  );

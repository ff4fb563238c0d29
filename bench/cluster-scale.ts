// Scale-out on a 3-primary Redis Cluster (loopback): 1, 2 and 4 worker processes, no budget.
import { startCluster } from '../test/support/redis-topologies.js';
import { scaleOut, type ScaleOutRow } from './scale-out.js';

export async function clusterScaleOut(people: number, counts = [1, 2, 4]): Promise<ScaleOutRow[]> {
  const cluster = await startCluster(3);
  try {
    const rows: ScaleOutRow[] = [];
    for (const n of counts) rows.push(await scaleOut(n, people, undefined, { cluster: cluster.nodes }));
    return rows;
  } finally {
    await cluster.stop();
  }
}

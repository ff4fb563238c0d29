// Real Redis topologies on loopback for the integration tests: a 3-primary Cluster and a primary +
// replica + 3 sentinels, from Debian's redis-server / redis-sentinel / redis-cli.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, redisServerArgs } from '../../src/store/redis-server.js';
import { stopProcess, waitListening } from './processes.js';

const run = promisify(execFile);
const cli = async (port: number, ...args: string[]) =>
  (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout.trim();

interface Node {
  port: number;
  child: ChildProcess;
}

async function until(what: string, ms: number, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startNode(dir: string, args: string[], sentinel = false): Promise<Node> {
  const port = await freePort();
  const own = mkdtempSync(join(dir, `n${port}-`));
  let child: ChildProcess;
  if (sentinel) {
    // A sentinel rewrites its config file, so each gets its own.
    const conf = join(own, 'sentinel.conf');
    writeFileSync(conf, `bind 127.0.0.1\nport ${port}\ndir ${own}\n${args.join('\n')}\n`);
    child = spawn('redis-sentinel', [conf], { stdio: 'ignore' });
  } else {
    child = spawn('redis-server', redisServerArgs(port, own, { extra: args }), { stdio: 'ignore' });
  }
  await waitListening(port, 10_000, () => child.exitCode !== null, sentinel ? 'redis-sentinel' : 'redis-server');
  return { port, child };
}

const stopAll = (nodes: Node[]) => Promise.all(nodes.map((n) => stopProcess(n.child, (s) => n.child.kill(s))));

export interface RedisCluster {
  /** `127.0.0.1:port` of each primary, for `redis.cluster`. */
  nodes: string[];
  stop(): Promise<void>;
}

/** `primaries` cluster-enabled servers joined by `redis-cli --cluster create` (no replicas), ready when every node says cluster_state:ok. */
export async function startCluster(primaries = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-cluster-'));
  const nodes = await Promise.all(
    Array.from({ length: primaries }, () =>
      startNode(dir, ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000']),
    ),
  );
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  const stop = async () => {
    await stopAll(nodes);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes']);
    await until('cluster_state:ok on every node', 20_000, async () =>
      (await Promise.all(nodes.map((n) => cli(n.port, 'cluster', 'info')))).every((i) =>
        i.includes('cluster_state:ok'),
      ),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes: addrs, stop };
}

export interface SentinelSet {
  name: string;
  /** `127.0.0.1:port` of each sentinel, for `redis.sentinels`. */
  sentinels: string[];
  primaryPort(): Promise<number>;
  /** SIGKILLs the current primary (no shutdown, no last replication). */
  killPrimary(): Promise<number>;
  /** Resolves once the sentinels name a primary other than `oldPort` and it answers as master. */
  failedOver(oldPort: number, ms?: number): Promise<number>;
  /**
   * A planned failover (SENTINEL FAILOVER): resolves with the old primary's port once the replica
   * answers as the new primary. The old primary lives on, to become the new one's replica.
   */
  failover(): Promise<number>;
  /** Resolves once `oldPort` replicates from the new primary and every sentinel knows it, so the set can fail over again. */
  replicaBack(oldPort: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A primary, one replica and 3 sentinels (quorum 2). down-after 1 s and a 5 s failover timeout
 * keep a failover within a few seconds; the set is returned once every sentinel knows the
 * replica and the other sentinels, so a failover can happen at once.
 */
export async function startSentinelSet(name = 'main'): Promise<SentinelSet> {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-sentinel-'));
  const primary = await startNode(dir, []);
  const replica = await startNode(dir, ['--replicaof', '127.0.0.1', String(primary.port)]);
  const data = [primary, replica];
  const conf = [
    `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
    `sentinel down-after-milliseconds ${name} 1000`,
    `sentinel failover-timeout ${name} 5000`,
    `sentinel parallel-syncs ${name} 1`,
  ];
  const sentinels = await Promise.all([0, 1, 2].map(() => startNode(dir, conf, true)));
  const stop = async () => {
    await stopAll([...sentinels, ...data]);
    rmSync(dir, { recursive: true, force: true });
  };
  const primaryPort = async () =>
    Number((await cli(sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', name)).split('\n')[1]);
  try {
    await until('replica in sync', 20_000, async () =>
      (await cli(replica.port, 'info', 'replication')).includes('master_link_status:up'),
    );
    // Sentinels find replicas from the primary's INFO (every 10 s) and each other over hello messages.
    await until('sentinels know the replica and each other', 30_000, async () => {
      const seen = await Promise.all(sentinels.map((s) => cli(s.port, 'sentinel', 'master', name)));
      return seen.every((t) => /num-slaves\n1\b/.test(t) && /num-other-sentinels\n2\b/.test(t));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name,
    sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`),
    primaryPort,
    stop,
    async killPrimary() {
      const port = await primaryPort();
      const node = data.find((n) => n.port === port)!;
      node.child.kill('SIGKILL');
      await new Promise((r) =>
        node.child.exitCode !== null || node.child.signalCode !== null ? r(null) : node.child.once('exit', r),
      );
      return port;
    },
    async failover() {
      const old = await primaryPort();
      await cli(sentinels[0]!.port, 'sentinel', 'failover', name);
      await until('sentinels promote the replica', 30_000, async () => {
        const now = await primaryPort();
        return now !== old && (await cli(now, 'role')).startsWith('master');
      });
      return old;
    },
    async replicaBack(oldPort) {
      await until('the old primary replicates from the new one', 30_000, async () =>
        (await cli(oldPort, 'info', 'replication')).includes('master_link_status:up'),
      );
      await until('sentinels know the old primary as a replica', 30_000, async () => {
        const seen = await Promise.all(sentinels.map((s) => cli(s.port, 'sentinel', 'master', name)));
        return seen.every((t) => /num-slaves\n1\b/.test(t));
      });
    },
    async failedOver(oldPort, ms = 30_000) {
      let now = oldPort;
      await until('sentinels promote the replica', ms, async () => {
        now = await primaryPort();
        return now !== oldPort && (await cli(now, 'role')).startsWith('master');
      });
      return now;
    },
  };
}

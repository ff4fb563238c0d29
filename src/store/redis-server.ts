import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RostersyncError } from '../errors/index.js';

export interface RedisHandle {
  url: string;
  /** Stops the server if this process started it; no-op for a server that was already there. */
  stop(): Promise<void>;
  startedHere: boolean;
}

const INSTALL_HINT =
  'no Redis answers on 127.0.0.1:6379 and redis-server is not installed: install it (Debian: apt-get install redis-server) or set REDIS_URL';

/**
 * REDIS_URL when set; else a server on 127.0.0.1:6379 when one answers; else a private
 * redis-server on a free loopback port (for the demo and the tests); else a clear error.
 */
export async function findOrStartRedis(env: NodeJS.ProcessEnv = process.env): Promise<RedisHandle> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, startedHere: false, stop: async () => {} };
  if (await answersPing('127.0.0.1', 6379))
    return { url: 'redis://127.0.0.1:6379', startedHere: false, stop: async () => {} };
  return startRedisServer();
}

export async function startRedisServer(atPort?: number): Promise<RedisHandle> {
  const port = atPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-redis-'));
  let child: ChildProcess;
  try {
    child = spawn('redis-server', redisServerArgs(port, dir), { stdio: 'ignore' });
  } catch (err) {
    throw new RostersyncError('REDIS_UNAVAILABLE', INSTALL_HINT, { cause: err });
  }
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) => reject(new RostersyncError('REDIS_UNAVAILABLE', INSTALL_HINT, { cause: err }))),
  );
  const deadline = Date.now() + 10_000;
  const ready = (async () => {
    while (!(await answersPing('127.0.0.1', port))) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new RostersyncError('REDIS_UNAVAILABLE', `redis-server did not start on 127.0.0.1:${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await Promise.race([ready, spawnError]);
  return {
    url: `redis://127.0.0.1:${port}`,
    startedHere: true,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Arguments of a private redis-server on loopback: no RDB snapshots, `noeviction` (BullMQ requires
 * it), and an append-only file only when the data must survive a restart (fsync always).
 */
export function redisServerArgs(port: number, dir: string, o: { persist?: boolean; extra?: string[] } = {}): string[] {
  return [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--save',
    '',
    ...(o.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    '--maxmemory-policy',
    'noeviction',
    ...(o.extra ?? []),
  ];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something on host:port answers RESP PING with +PONG within 500 ms. */
export function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

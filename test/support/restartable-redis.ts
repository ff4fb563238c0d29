import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersPing, freePort, redisServerArgs } from '../../src/store/redis-server.js';

export interface RestartableRedis {
  url: string;
  /** Stops the server (it writes its AOF on SIGTERM), waits `downMs`, starts it again on the same port and data. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again unless it runs. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A private redis-server that can be restarted with its data, as a production one with
 * persistence would be (AOF, fsync always): a restart is an outage, not a wipe.
 */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-restart-redis-'));
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (running()) return;
    child = spawn('redis-server', redisServerArgs(port, dir, { persist: true }), { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing('127.0.0.1', port))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on ${port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || !running()) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async restart(downMs) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Waits until `port` listens, or throws when `failed()` says the server died or the time is up. */
export async function waitListening(port: number, ms: number, failed: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await listening(port))) {
    if (failed() || Date.now() > deadline) throw new Error(`${what} did not start on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
export async function stopProcess(
  child: { exitCode: number | null; signalCode: NodeJS.Signals | null; once(e: 'exit', f: () => void): unknown },
  kill: (signal: NodeJS.Signals) => void,
): Promise<void> {
  // A process killed by a signal has no exit code but a signal code: either way it is gone.
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  kill('SIGTERM');
  const t = setTimeout(() => kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** test/support/worker-process.ts on a config: op workers only, it never reads the target. */
export async function startWorkerProcess(
  configPath: string,
): Promise<{ child: ChildProcess; handled: () => Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/worker-process.ts'), configPath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.stdout!.on('data', () => out.includes('worker ready') && resolve()));
  return {
    child,
    handled: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      return Number(/handled (\d+)/.exec(out)?.[1]);
    },
  };
}

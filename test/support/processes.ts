import { createConnection } from 'node:net';

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

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { withProfileLock } from '../../../src/app/profile-lock.js';
import { runSync, type SyncOutcome } from '../../../src/app/run-sync.js';
import { openRuntime, type Runtime } from '../../../src/app/runtime.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { runCli } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) (s as unknown as { closeAllConnections(): void }).closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await h?.close();
  h = undefined;
});

/** Rewrites the harness's config (JSON, which is YAML). */
function editConfig(path: string, edit: (c: Record<string, any>) => void): void {
  const config = JSON.parse(readFileSync(path, 'utf8'));
  edit(config);
  writeFileSync(path, JSON.stringify(config, null, 2));
}

/** A TCP listener on 127.0.0.1 that takes connections and never answers them. */
async function listener(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => {});
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('rostersync run: the first hour', () => {
  it('with daemon.http.port taken exits 78 with one line naming the key and the address, no stack', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 5, groups: 1, memberships: 5, seed: 91 }));
    const { port } = await listener();
    editConfig(h.configPath, (c) => (c.daemon = { http: { host: '127.0.0.1', port }, shutdownTimeoutMs: 1000 }));

    const t0 = Date.now();
    const r = await runCli(['run', '--config', h.configPath]);
    console.info(`port taken: run exited ${r.code} after ${Date.now() - t0} ms`);

    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr.trim().split('\n')).toEqual([
      `rostersync: daemon.http.port: 127.0.0.1:${port} is already in use by another process: stop it or choose another port (EADDRINUSE)`,
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error|please report/);
    expect(r.stdout).toBe('');
  });

  it('a webhook that never answers holds no lock: the run ends in its own time, the message is abandoned at its deadline', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 20, groups: 2, memberships: 25, seed: 92 }));
    // A receiver that takes the request and never answers.
    const requests: string[] = [];
    const hook = createHttpServer((req) => requests.push(req.url ?? ''));
    servers.push(hook as unknown as Server);
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const deadlineMs = 2000;
    const logs: { msg: string; level: number; reason?: string; event?: string; tries?: number }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const open = async (apiSecret?: string): Promise<Runtime> => {
      editConfig(h!.configPath, (c) => {
        // The most patient a hook may be per try, and ten tries: only the deadline bounds them.
        c.notify = [{ kind: 'json', url, attempts: 10, timeoutMs: 30_000, deadlineMs }];
        c.target.apiSecret = apiSecret ?? '${CHARTIO_SECRET:-harness-api-secret-6f1e}';
      });
      const rt = await openRuntime(h!.configPath, { log });
      // Op workers only where the key is right (workers take any op of the queue).
      if (!apiSecret) rt.startWorkers();
      return rt;
    };
    const backfill = async (rt: Runtime) => {
      const t0 = Date.now();
      const outcome = await withProfileLock(rt.store, 'backfill', () =>
        runSync(rt, { mode: 'full', trigger: 'backfill' }),
      ).catch((err: Error) => err);
      return { outcome, ms: Date.now() - t0 };
    };
    const ownMs = (r: { startedAt: string; finishedAt?: string }) =>
      Date.parse(r.finishedAt!) - Date.parse(r.startedAt);

    // A run that fails (the target refuses the key): a change of state, so a message to the hook.
    const bad = await open('wrong-secret');
    const failed = await backfill(bad);
    const failedRun = (await bad.store.listRuns(1))[0]!;
    // The lock is free as soon as the run has ended: a second run takes it at once.
    const good = await open();
    const recovered = await backfill(good);
    const okRun = (await good.store.listRuns(1))[0]!;
    console.info(
      `hanging webhook: failed run ${failed.ms} ms (own ${ownMs(failedRun)} ms), next run ${recovered.ms} ms (own ${ownMs(okRun)} ms)`,
    );

    expect(failed.outcome).toBeInstanceOf(Error);
    expect(failedRun.status).toBe('failed');
    expect(failed.ms).toBeLessThan(ownMs(failedRun) + 1000);
    expect((recovered.outcome as SyncOutcome).status).toBe('succeeded');
    expect(recovered.ms).toBeLessThan(ownMs(okRun) + 1000);
    expect(failed.ms + recovered.ms).toBeLessThan(deadlineMs);

    // Each message waits out its deadline, then is abandoned with a warning; closing waits for that.
    const t0 = Date.now();
    await Promise.all([bad.close(), good.close()]);
    const closeMs = Date.now() - t0;
    // Level 40: a warning.
    const abandoned = logs.filter((l) => l.msg === 'notification abandoned: not delivered in time');
    expect(abandoned.map((l) => [l.event, l.reason, l.level])).toEqual(
      expect.arrayContaining([
        ['failed', 'deadline', 40],
        ['recovered', 'deadline', 40],
      ]),
    );
    expect(abandoned).toHaveLength(2);
    expect(requests).toEqual(['/hook', '/hook']);
    expect(closeMs).toBeLessThan(deadlineMs + 1000);
    console.info(`hanging webhook: both messages abandoned; close waited ${closeMs} ms`);
  });
});

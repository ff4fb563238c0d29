import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, runCli, type Harness } from '../../support/sync-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
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
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openRuntime, type Runtime } from '../../../src/app/runtime.js';
import { runSync } from '../../../src/app/run-sync.js';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { ConfigError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';
import { teamsState } from '../../support/conformance/chartio.js';

const tls = inject('tls');
let graph: FakeGraph;
let emulator: ChartioEmulator;
let rt: Runtime;

beforeAll(async () => {
  graph = await startFakeGraph({
    tenantId: 'tenant-e2e',
    clientId: 'app',
    clientSecret: 'e2e-secret',
    cert: tls.cert,
    key: tls.key,
  });
  for (let i = 0; i < 300; i++)
    graph.dir.addUser({
      id: `u${i}`,
      displayName: `User ${i}`,
      mail: `u${i}@corp.test`,
      userPrincipalName: `u${i}@corp.test`,
    });
  for (let k = 0; k < 10; k++)
    graph.dir.addGroup(
      `g${k}`,
      `bi-team-${k}`,
      Array.from({ length: 30 }, (_, i) => `u${k * 30 + i}`),
    );
  emulator = await createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: 'emu', rateLimit: false });
  process.env.ENTRA_CLIENT_SECRET = 'e2e-secret';
  rt = await openRuntime(writeConfig({ displayNamePrefix: 'bi-' }), { log: silentLogger });
  rt.startWorkers();
});

/** A config file for the fake Graph and the emulator, with the given group scope. */
function writeConfig(groups: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-entra-e2e-'));
  writeFileSync(
    join(dir, 'config.yaml'),
    JSON.stringify({
      redis: { url: inject('redisUrl'), prefix: `entra-e2e-${Date.now()}` },
      target: {
        kind: 'chartio',
        baseUrl: `${emulator.url}/v1`,
        org: 'acme',
        apiKey: 'key',
        apiSecret: 'emu',
        rateLimit: { max: 100_000, duration: 1000, headroom: 1 },
      },
      profiles: [
        {
          name: 'entra',
          source: {
            kind: 'entra',
            tenantId: 'tenant-e2e',
            clientId: 'app',
            clientSecret: '${ENTRA_CLIENT_SECRET}',
            authorityHost: graph.url,
            graphBaseUrl: graph.url,
            groups,
          },
          mapping: { rules: [{ match: '^bi-(.+)$', team: '$1' }] },
        },
      ],
    }),
  );
  return join(dir, 'config.yaml');
}
afterAll(async () => {
  await rt.close();
  await emulator.close();
  await graph.close();
});

describe('backfill from Entra ID into the emulator', () => {
  it('reaches the desired state; a later sync uses delta and applies only the change', async () => {
    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(first.status).toBe('succeeded');
    expect(teamsState(emulator)['team-3']).toHaveLength(30);
    expect(first.plan!.phases.flat()).toHaveLength(10 + 300);

    graph.dir.addUser({ id: 'hire', displayName: 'Hire', mail: 'hire@corp.test', userPrincipalName: 'hire@corp.test' });
    graph.dir.addMember('g3', 'hire');
    graph.dir.addMember('g5', 'u121');
    graph.dir.removeMember('g4', 'u121');
    const before = graph.graphCalls().length;
    const writes = emulator.stats().writes;
    const second = await runSync(rt, { mode: 'incremental', trigger: 'schedule' });
    expect(second.status).toBe('succeeded');
    expect(second.run.mode).toBe('incremental');
    const paths = graph
      .graphCalls()
      .slice(before)
      .map((r) => r.path.split('?')[0]!);
    expect(paths.slice(0, 2)).toEqual(['/v1.0/users/delta', '/v1.0/groups/delta']);
    expect(paths.filter((p) => p.endsWith('/transitiveMembers')).sort()).toEqual([
      '/v1.0/groups/g3/transitiveMembers',
      '/v1.0/groups/g4/transitiveMembers',
      '/v1.0/groups/g5/transitiveMembers',
    ]);
    // hire: created on team-3; u121 moved: added to team-5, then removed from team-4.
    expect(
      second
        .plan!.phases.flat()
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['addMember', 'createUser', 'removeMember']);
    expect(emulator.stats().writes - writes).toBe(3);
    expect(teamsState(emulator)['team-3']).toContain('hire@corp.test');
    expect(teamsState(emulator)['team-5']).toContain('u121@corp.test');
    expect(teamsState(emulator)['team-4']).not.toContain('u121@corp.test');
  });
});

describe('a mistyped Entra scope', () => {
  // After the backfill above: the teams exist with their members. A scope entry that resolves to
  // nothing must stop the run before planning (the daemon's ticks run this same pipeline).
  for (const [what, ids, message] of [
    [
      'a group name in groups.ids',
      ['Support'],
      'profiles.entra.source.groups.ids[0]: "Support" looks like a group name',
    ],
    [
      'an id the tenant does not have',
      ['11111111-2222-3333-4444-555555555555'],
      'profiles.entra.source: no group with these ids in the tenant: groups.ids[0] (11111111-2222-3333-4444-555555555555)',
    ],
  ] as const)
    it(`${what} stops the backfill naming the key; nothing is written`, async () => {
      const typo = await openRuntime(writeConfig({ ids }), { log: silentLogger });
      try {
        typo.startWorkers();
        const writes = emulator.stats().writes;
        const members = teamsState(emulator)['team-3']!.length;

        const err = await runSync(typo, { mode: 'full', trigger: 'backfill' }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );

        expect(err).toBeInstanceOf(ConfigError);
        expect(err!.message).toContain(message);
        expect(emulator.stats().writes).toBe(writes);
        expect(teamsState(emulator)['team-3']).toHaveLength(members);
      } finally {
        await typo.close();
      }
    });
});

describe('Graph requests per read (10,000 users in 300 groups)', () => {
  it('a full read costs 2 delta links + 1 group list + 1 $batch per 20 groups; a delta read 2 requests plus a $batch of changed groups', async () => {
    const big = await startFakeGraph({ tenantId: 't', clientId: 'c', clientSecret: 's', cert: tls.cert, key: tls.key });
    try {
      for (let i = 0; i < 10_000; i++)
        big.dir.addUser({ id: `u${i}`, displayName: `U${i}`, mail: `u${i}@x.test`, userPrincipalName: `u${i}@x.test` });
      for (let k = 0; k < 300; k++)
        big.dir.addGroup(
          `g${k}`,
          `grp-${k}`,
          Array.from({ length: 50 }, (_, i) => `u${(k * 50 + i) % 10_000}`),
        );
      const { EntraSource } = await import('../../../src/sources/entra/index.js');
      const { entraSourceSchema } = await import('../../../src/sources/entra/schema.js');
      const source = new EntraSource(
        entraSourceSchema.parse({
          kind: 'entra',
          tenantId: 't',
          clientId: 'c',
          clientSecret: 's',
          authorityHost: big.url,
          graphBaseUrl: big.url,
          groups: { displayNamePrefix: 'grp-' },
        }),
        { log: silentLogger, baseDir: '/', profile: 'm', redis: rt.redis, keyPrefix: `entra-measure-${Date.now()}:` },
      );
      const full = await source.read({ mode: 'full' });
      expect(full.snapshot.people).toHaveLength(10_000);
      expect(full.requests).toBe(2 + 1 + 300 / 20);
      expect(big.graphCalls()).toHaveLength(2 + 1 + 300);
      big.dir.addMember('g7', 'u9999');
      const delta = await source.read({ mode: 'incremental', cursor: full.nextCursor! });
      expect(delta.mode).toBe('incremental');
      expect(delta.requests).toBe(2 + 1);
      expect(big.graphCalls()).toHaveLength(2 + 1 + 300 + 2 + 1);
    } finally {
      await big.close();
    }
  });
});

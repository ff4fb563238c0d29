import { randomBytes } from 'node:crypto';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Runtime } from '../../../src/app/runtime.js';
import { runSync } from '../../../src/app/run-sync.js';
import type { Group, Op, Person, Snapshot } from '../../../src/model/index.js';
import { createV3Harness } from '../../support/conformance/adminv3.js';
import { createHarness } from '../../support/conformance/chartio.js';
import { createDcHarness } from '../../support/conformance/datacentral.js';
import { createGrafanaHarness } from '../../support/conformance/grafana.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';
import { writeSnapshot } from '../../support/fake-graph/snapshot.js';
import { churn, generateDirectory } from '../../support/synthetic-directory.js';
import { SlapdDirectory } from './day2-directory.js';
import { admin, ldap } from './helpers.js';

/**
 * The same nested directory (groups three deep) in OpenLDAP and in the fake Graph, synced by two
 * profiles into two fresh emulators of one target kind: day one, then a day of churn (a re-parented,
 * a renamed, a deleted and a new group inside another, people moved, hired, gone and disabled),
 * read from Entra by delta. Both plans must be the same operations, keys and reasons aside.
 */
const tls = inject('tls');
const redisUrl = inject('redisUrl');
const SECRET = 'nest-plan-secret';
let client: Client;
let dir: SlapdDirectory;
let graph: FakeGraph;

const base = generateDirectory({ people: 150, groups: 24, memberships: 260, nestingDepth: 3, seed: 41 });

/** The day's changes: churn of people, and the groups' own changes (g17 re-parented, g9 renamed, g3 deleted, g24 new inside g1). */
function day2(s: Snapshot): Snapshot {
  const c = churn(s, { share: 0.05, seed: 42 });
  const groups: Group[] = c.groups
    .filter((g) => g.sourceId !== 'g3')
    .map((g) => {
      if (g.sourceId === 'g17') return { ...g, parentIds: ['g12'] };
      if (g.sourceId === 'g9') return { ...g, name: 'group-109' };
      return { ...g, parentIds: g.parentIds.filter((p) => p !== 'g3') };
    });
  groups.push({ sourceId: 'g24', name: 'group-24', parentIds: ['g1'] });
  const people: Person[] = c.people.map((p, i) => {
    let groupIds = p.groupIds.filter((g) => g !== 'g3');
    if (i < 6) groupIds = [...groupIds, 'g24'];
    // Moved from a child group up to its parent: g9's members join g1 and leave g9.
    if (i >= 10 && i < 14 && groupIds.includes('g9')) groupIds = [...groupIds.filter((g) => g !== 'g9'), 'g1'];
    return { ...p, groupIds: [...new Set(groupIds)], enabled: i === 30 ? false : p.enabled };
  });
  return { people, groups, issues: [] };
}

/** The fake tenant as the snapshot says, with each user's surname what the LDAP entry's sn is. */
function writeGraph(s: Snapshot): void {
  writeSnapshot(graph.dir, s);
  for (const p of s.people) {
    const surname = p.displayName.split(' ').pop()!;
    if (graph.dir.users.get(p.sourceId)!.surname !== surname) graph.dir.updateUser(p.sourceId, { surname });
  }
}

beforeAll(async () => {
  client = await admin();
  dir = await SlapdDirectory.create(client, ldap.suffix, `nest-${randomBytes(3).toString('hex')}`);
  graph = await startFakeGraph({ tenantId: 'tn', clientId: 'app', clientSecret: SECRET, cert: tls.cert, key: tls.key });
  process.env.ENTRA_NEST_SECRET = SECRET;
  await dir.write(base);
  writeGraph(base);
});
afterAll(async () => {
  await dir?.remove();
  await client?.unbind();
  await graph?.close();
});

const ldapSource = () => ({
  kind: 'ldap',
  url: ldap.url,
  bindDn: ldap.bindDn,
  bindPassword: ldap.password,
  people: { baseDn: dir.peopleDn },
  groups: { baseDn: dir.groupsDn },
  disabled: { attribute: 'employeeType', values: ['disabled'] },
});
const entraSource = () => ({
  kind: 'entra',
  tenantId: 'tn',
  clientId: 'app',
  clientSecret: '${ENTRA_NEST_SECRET}',
  authorityHost: graph.url,
  graphBaseUrl: graph.url,
});

/** An op without what names the source's or the target's objects (keys, ids, source ids, units left) and without reasons. */
function bare(op: Op): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !['key', 'teamKey', 'reason', 'dependsOn', 'id', 'sourceId', 'changes', 'left'].includes(k))
        .map(([k, x]) => [k, strip(x)]),
    );
  };
  return JSON.stringify(strip(op));
}
const opsOf = (r: Awaited<ReturnType<typeof runSync>>) => r.plan!.phases.flat().map(bare).sort();

type Make = (source: Record<string, unknown>) => Promise<{ runtime(): Promise<Runtime>; close(): Promise<void> }>;
const targets: [string, Make][] = [
  [
    'DataCentral, units from groups, direct membership',
    (source) =>
      createDcHarness(redisUrl, {
        source,
        target: { userType: 'AzureAD', units: { membership: 'direct' } },
      }),
  ],
  ['DataCentral, units from groups, transitive membership', (source) => createDcHarness(redisUrl, { source })],
  ['Chartio (flat teams)', (source) => createHarness(redisUrl, { source })],
  ['Admin API v3', (source) => createV3Harness(redisUrl, { source })],
  [
    'Grafana (everyone signed in once)',
    async (source) => {
      const h = await createGrafanaHarness(redisUrl, { source });
      h.signIn(base.people);
      return h;
    },
  ],
];

describe('the same nested directory from OpenLDAP and from Entra (fake Graph) plans the same operations', () => {
  // The directory is written once for day one and once for day two, so the targets run in step.
  const runs: { name: string; ldap: Runtime; entra: Runtime; close: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const r of runs) await r.close();
  });

  it('day one, for every target kind', async () => {
    for (const [name, make] of targets) {
      const [l, e] = [await make(ldapSource()), await make(entraSource())];
      const [lr, er] = [await l.runtime(), await e.runtime()];
      lr.startWorkers();
      er.startWorkers();
      runs.push({ name, ldap: lr, entra: er, close: async () => (await l.close(), await e.close()) });
      const a = await runSync(lr, { mode: 'full', trigger: 'backfill' });
      const calls = graph.graphCalls().length;
      const b = await runSync(er, { mode: 'full', trigger: 'backfill' });
      // The target says whether the nesting is read: DataCentral's units follow the groups; the others
      // keep the cheaper transitive read.
      const paths = graph
        .graphCalls()
        .slice(calls)
        .map((r) => r.path.split('?')[0]!);
      const nested = name.startsWith('DataCentral');
      expect(
        paths.some((p) => p.endsWith('/members/microsoft.graph.group')),
        name,
      ).toBe(nested);
      expect(
        paths.some((p) => p.endsWith('/transitiveMembers')),
        name,
      ).toBe(!nested);
      expect(a.status, name).toBe('succeeded');
      expect(b.status, name).toBe('succeeded');
      expect(opsOf(b), name).toEqual(opsOf(a));
      expect(opsOf(a).length, name).toBeGreaterThan(0);
    }
  });

  it('after a day of churn read by delta (a re-parented group included), for every target kind', async () => {
    expect(runs).toHaveLength(targets.length);
    const next = day2(base);
    await dir.write(next);
    writeGraph(next);
    for (const r of runs) {
      // LDAP read in full: the reference the Entra delta must reach.
      const a = await runSync(r.ldap, { mode: 'full', trigger: 'schedule' });
      const b = await runSync(r.entra, { mode: 'incremental', trigger: 'schedule' });
      expect(b.run.mode, r.name).toBe('incremental');
      expect(a.status, r.name).toBe('succeeded');
      expect(b.status, r.name).toBe('succeeded');
      expect(opsOf(b), r.name).toEqual(opsOf(a));
      expect(opsOf(a).length, r.name).toBeGreaterThan(0);
    }
  });
});

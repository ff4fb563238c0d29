import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { explainPerson } from '../../../src/app/explain-person.js';
import type { Runtime } from '../../../src/app/runtime.js';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { createSource } from '../../../src/sources/registry.js';
import { teamsState } from '../../support/conformance/chartio.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';
import {
  addAttr,
  adminOf,
  canonical,
  joinedDeployment,
  ldapSourceOf,
  personEntry,
  replaceAttr,
  startDirectory,
  type JoinedDeployment,
} from '../../support/joined.js';
import { groupDn, personDn } from '../../support/ldif.js';
import type { Slapd } from '../../support/slapd.js';
import { writesOf } from '../../support/target-harness.js';

/**
 * OpenLDAP and Entra joined on email during a migration, Entra deciding `enabled`
 * (docs/sources-joined.md): a real slapd of a few entries, the fake Graph over HTTPS, a Chartio
 * emulator, through runSync.
 */
const SECRET = 'joined-graph-secret-5d2';
const API_SECRET = 'joined-api-secret-8e4';
const OWNER = 'owner@example.com';
const tls = inject('tls');

const dn = (uid: string) => personDn({ uid, cn: uid });
const person = (uid: string, disabled = false) => ({ uid, cn: `${uid} (LDAP)`, mail: `${uid}@corp.test`, disabled });

let slapd: Slapd;
let graph: FakeGraph;
let chartio: ChartioEmulator;
let d: JoinedDeployment;
let rt: Runtime;

const profile = (clientSecret = SECRET) => ({
  sources: [
    { name: 'onprem', source: ldapSourceOf(slapd) },
    {
      name: 'entra',
      source: {
        kind: 'entra',
        tenantId: 't1',
        clientId: 'c1',
        clientSecret,
        authorityHost: graph.url,
        graphBaseUrl: graph.url,
        users: 'all',
        groups: { displayNamePrefix: 'rs-' },
        retryBaseMs: 10,
      },
    },
  ],
  precedence: { enabled: 'entra' },
  mapping: { rules: [{ match: '^(?:rs-)?(.*)$', team: '$1' }] },
});

beforeAll(async () => {
  [slapd, graph, chartio] = await Promise.all([
    startDirectory(
      [
        person('amy'),
        person('bo'),
        // Not migrated yet: Entra lacks them, so LDAP's flag counts.
        person('cy'),
        // Disabled on premises, enabled in Entra: Entra decides.
        person('dee', true),
      ],
      [{ cn: 'onprem-eng', members: ['amy', 'bo', 'cy', 'dee'].map(dn) }],
    ),
    startFakeGraph({ tenantId: 't1', clientId: 'c1', clientSecret: SECRET, cert: tls.cert, key: tls.key }),
    createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: API_SECRET, rateLimit: false, ownerEmail: OWNER }),
  ]);
  const g = graph.dir;
  const user = (id: string, uid: string, accountEnabled = true) =>
    g.addUser({
      id,
      displayName: `${uid} (Entra)`,
      mail: `${uid}@corp.test`,
      userPrincipalName: `${uid}@corp.onmicrosoft.test`,
      accountEnabled,
    });
  user('u-amy', 'amy');
  user('u-bo', 'bo');
  user('u-dee', 'dee');
  // Cloud only.
  user('u-eve', 'eve');
  g.addGroup('g-cloud', 'rs-cloud', ['u-amy', 'u-eve']);
  d = joinedDeployment(inject('redisUrl'), {
    target: {
      kind: 'chartio',
      baseUrl: `${chartio.url}/v1`,
      org: 'acme',
      apiKey: 'key',
      apiSecret: API_SECRET,
      timeoutMs: 5000,
      rateLimit: { headroom: 1, max: 100_000, duration: 1000 },
    },
    policy: { deprovision: 'delete-user' },
    profile: profile(),
    close: async () => {
      await chartio.close();
      await graph.close();
      await slapd.stop();
    },
  });
  rt = await d.runtime();
  rt.startWorkers();
});
afterAll(() => d?.close());

const users = () =>
  chartio
    .dump()
    .users.map((u) => u.email)
    .filter((m) => m !== OWNER)
    .sort();
const teams = () => {
  const t = teamsState(chartio);
  delete t.Owners;
  return t;
};

describe('OpenLDAP + Entra joined on email, Entra deciding enabled', () => {
  it('Entra decides enabled where it has the person; someone disabled in Entra but enabled in LDAP is deprovisioned; a second run writes nothing', async () => {
    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(first.status).toBe('succeeded');
    expect(users()).toEqual(['amy@corp.test', 'bo@corp.test', 'cy@corp.test', 'dee@corp.test', 'eve@corp.test']);
    expect(teams()).toEqual({
      'onprem-eng': ['amy@corp.test', 'bo@corp.test', 'cy@corp.test', 'dee@corp.test'],
      cloud: ['amy@corp.test', 'eve@corp.test'],
    });

    graph.dir.updateUser('u-bo', { accountEnabled: false });
    const read = await rt.source.read({ mode: 'full' });
    const bo = read.snapshot.people.find((p) => p.email === 'bo@corp.test')!;
    // Entra's flag, with LDAP's name (LDAP is listed first and decides names).
    expect(bo).toMatchObject({ enabled: false, displayName: 'bo (LDAP)', sourceId: 'joined:bo@corp.test' });

    const second = await runSync(rt, { mode: 'incremental', trigger: 'schedule' });
    expect(second.status).toBe('succeeded');
    expect(users()).toEqual(['amy@corp.test', 'cy@corp.test', 'dee@corp.test', 'eve@corp.test']);
    expect(teams()['onprem-eng']).toEqual(['amy@corp.test', 'cy@corp.test', 'dee@corp.test']);

    const writes = writesOf(chartio).length;
    const third = await runSync(rt, { mode: 'incremental', trigger: 'schedule' });
    expect(third.plan!.phases.flat()).toHaveLength(0);
    expect(writesOf(chartio)).toHaveLength(writes);

    // explain with the fake Graph among the sources: who decided bo's fields, why bo is out, what went.
    const x = await explainPerson(rt, 'bo@corp.test');
    expect(x.found).toEqual({ directory: true, target: false });
    expect(x.steps.scope).toMatchObject({ inScope: false, reason: expect.stringMatching(/disabled/) });
    expect(x.steps.source).toMatchObject({
      attributes: { sources: expect.stringMatching(/^enabled: entra; email: /) },
    });
    expect(x.steps.history.changes.map((c) => c.text).join('\n')).toMatch(/bo@corp\.test: deleted/);
    expect(writesOf(chartio)).toHaveLength(writes);
  });

  it('incremental (LDAP changes since its cursor, Graph delta) equals full after a day of churn in both', async () => {
    const cursor = (await rt.store.planState()).cursor;
    expect(Object.keys(JSON.parse(cursor!) as object).sort()).toEqual(['entra', 'onprem']);
    const g = graph.dir;
    g.updateUser('u-amy', { displayName: 'Amy Renamed (Entra)' });
    g.updateUser('u-dee', { accountEnabled: false });
    g.removeUser('u-eve');
    // cy is migrated.
    g.addUser({
      id: 'u-cy',
      displayName: 'cy (Entra)',
      mail: 'cy@corp.test',
      userPrincipalName: 'cy@corp.onmicrosoft.test',
      accountEnabled: true,
    });
    g.addMember('g-cloud', 'u-cy');
    const a = await adminOf(slapd);
    try {
      await a.modify(dn('amy'), [replaceAttr('cn', ['Amy Renamed (LDAP)'])]);
      const fay = personEntry(person('fay'));
      await a.add(fay.dn, fay.attributes);
      await a.modify(groupDn('onprem-eng'), [addAttr('member', [dn('fay')])]);
    } finally {
      await a.unbind();
    }
    const inc = await rt.source.read({ mode: 'incremental', cursor: cursor! });
    expect(inc.mode).toBe('incremental');
    const fresh = createSource(rt.profile.source, {
      log: silentLogger,
      baseDir: d.dir,
      profile: 'staff',
      redis: rt.redis,
      keyPrefix: `${d.prefix}:fresh:`,
    });
    const full = await fresh.read({ mode: 'full' });
    expect(full.mode).toBe('full');
    expect(canonical(inc.snapshot)).toEqual(canonical(full.snapshot));
    const cy = inc.snapshot.people.find((p) => p.email === 'cy@corp.test')!;
    expect(cy.sourceId).toBe('joined:cy@corp.test');
    expect(cy.groupIds).toHaveLength(2);
    expect(inc.snapshot.people.find((p) => p.email === 'dee@corp.test')).toMatchObject({ enabled: false });
    expect(inc.snapshot.people.some((p) => p.email === 'eve@corp.test')).toBe(false);
    await fresh.close?.();
  });

  it('Entra refusing the secret fails the run naming the source and the variable to fix, and deletes nothing', async () => {
    const before = writesOf(chartio).length;
    const people = users();
    process.env.JOINED_TEST_ENTRA_SECRET = 'wrong-secret-31';
    try {
      d.configure(profile('${JOINED_TEST_ENTRA_SECRET}'));
      const bad = await d.runtime();
      const err = await runSync(bad, { mode: 'incremental', trigger: 'schedule' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      const message = (err as Error).message;
      expect(message).toMatch(/^source entra: /);
      expect(message).toMatch(/AADSTS7000215/);
      expect(message).toContain('$JOINED_TEST_ENTRA_SECRET (read by profiles.staff.sources.1.source.clientSecret)');
      expect(message).not.toContain('wrong-secret-31');
      expect(writesOf(chartio)).toHaveLength(before);
      expect(users()).toEqual(people);
    } finally {
      delete process.env.JOINED_TEST_ENTRA_SECRET;
      d.configure(profile());
    }
  });
});

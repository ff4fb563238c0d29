import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exitCodeOf } from '../../../src/cli/exit-code-of.js';
import { ConfigError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Person } from '../../../src/model/index.js';
import { EntraSource } from '../../../src/sources/entra/index.js';
import { entraSourceSchema } from '../../../src/sources/entra/schema.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';

const tls = inject('tls');
let graph: FakeGraph;
let redis: Redis;
let EXT: string;

const ATTRIBUTES = () => [
  'department',
  'employeeOrgData.costCenter',
  'onPremisesExtensionAttributes.extensionAttribute3',
  EXT,
  'businessPhones',
];

const source = (attributes: string[], keyPrefix = `entra-attr-${Date.now()}-${Math.random()}:`) =>
  new EntraSource(
    entraSourceSchema.parse({
      kind: 'entra',
      tenantId: 't1',
      clientId: 'c1',
      clientSecret: 's1',
      authorityHost: graph.url,
      graphBaseUrl: graph.url,
      groups: { displayNamePrefix: 'rs-' },
      retryBaseMs: 10,
      attributes,
    }),
    { log: silentLogger, baseDir: '/', profile: 'hr', redis, keyPrefix },
  );

const extensionAttributes = (three: string | null) =>
  Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, i + 1 === 3 ? three : null]));

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  graph = await startFakeGraph({ tenantId: 't1', clientId: 'c1', clientSecret: 's1', cert: tls.cert, key: tls.key });
  const d = graph.dir;
  EXT = d.addExtensionProperty('0b1f0c3e-5c3a-4d2e-9a55-2f1d8c6b7e41', 'costCode');
  d.addUser({
    id: 'u1',
    displayName: 'Ada',
    mail: 'ada@corp.test',
    userPrincipalName: 'ada@corp.test',
    department: '  Research   and Development ',
    jobTitle: 'Engineer',
    employeeOrgData: { costCenter: 'CC-42', division: 'Labs' },
    onPremisesExtensionAttributes: extensionAttributes('EMEA'),
    [EXT]: 'K-7',
    businessPhones: ['+1 555 0100', '+1 555 0101'],
  });
  d.addUser({
    id: 'u2',
    displayName: 'Bo',
    mail: 'bo@corp.test',
    userPrincipalName: 'bo@corp.test',
    businessPhones: [],
  });
  d.addGroup('g1', 'rs-team', ['u1', 'u2']);
});
afterAll(async () => {
  await graph.close();
  await redis.quit();
});

const byId = (people: Person[], id: string) => people.find((p) => p.sourceId === id)!;

describe('Entra source.attributes against the fake Graph', () => {
  it('a full read selects the properties and gives each person the listed attributes, normalised', async () => {
    const before = graph.log.length;
    const { snapshot } = await source(ATTRIBUTES()).read({ mode: 'full' });
    expect(byId(snapshot.people, 'u1').attributes).toEqual({
      department: ['Research and Development'],
      'employeeOrgData.costCenter': ['CC-42'],
      'onPremisesExtensionAttributes.extensionAttribute3': ['EMEA'],
      [EXT]: ['K-7'],
      businessPhones: ['+1 555 0100', '+1 555 0101'],
    });
    // Not set, empty, or not listed (jobTitle): no attribute.
    expect(byId(snapshot.people, 'u2').attributes).toEqual({});
    const members = graph.log.slice(before).find((r) => r.path.includes('/transitiveMembers'))!;
    expect(decodeURIComponent(members.path)).toContain(
      `$select=id,displayName,mail,userPrincipalName,givenName,surname,accountEnabled,department,employeeOrgData,onPremisesExtensionAttributes,${EXT},businessPhones&`,
    );
  });

  it('a delta changing only department gives the same people as a full read', async () => {
    const prefix = `entra-attr-delta-${Date.now()}:`;
    const first = await source(ATTRIBUTES(), prefix).read({ mode: 'full' });
    graph.dir.updateUser('u1', { department: 'Sales' });
    graph.dir.updateUser('u2', { jobTitle: 'Chef' }); // not selected: not in the delta at all
    const delta = await source(ATTRIBUTES(), prefix).read({ mode: 'incremental', cursor: first.nextCursor! });
    const full = await source(ATTRIBUTES(), prefix).read({ mode: 'full' });
    expect(delta.mode).toBe('incremental');
    expect(delta.snapshot.people).toEqual(full.snapshot.people);
    // The delta record carried department alone: the rest is the kept state, merged.
    expect(byId(delta.snapshot.people, 'u1').attributes).toMatchObject({
      department: ['Sales'],
      'employeeOrgData.costCenter': ['CC-42'],
      [EXT]: ['K-7'],
    });
    // A cleared property (null in the delta) clears the attribute.
    graph.dir.updateUser('u1', { [EXT]: null });
    const again = await source(ATTRIBUTES(), prefix).read({ mode: 'incremental', cursor: full.nextCursor! });
    expect(again.mode).toBe('incremental');
    expect(byId(again.snapshot.people, 'u1').attributes![EXT]).toBeUndefined();
    expect(again.snapshot.people).toEqual((await source(ATTRIBUTES(), prefix).read({ mode: 'full' })).snapshot.people);
  });

  it('another attribute list since the last read reads in full', async () => {
    const prefix = `entra-attr-change-${Date.now()}:`;
    const first = await source(['department'], prefix).read({ mode: 'full' });
    const next = await source(['department', 'jobTitle'], prefix).read({
      mode: 'incremental',
      cursor: first.nextCursor!,
    });
    expect(next.mode).toBe('full');
    expect(byId(next.snapshot.people, 'u2').attributes).toEqual({ jobTitle: ['Chef'] });
  });

  it('a misspelled property is a config error naming the key and the property (exit 78)', async () => {
    const err = await source(['departmnt'])
      .read({ mode: 'full' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^profiles\.hr\.source\.attributes: Graph has no user property 'departmnt'/);
    expect((err as Error).message).toContain("Could not find a property named 'departmnt'");
    expect(exitCodeOf(err)).toBe(78);
  });

  it('validate names every listed attribute Graph refuses, in one message', async () => {
    const other = 'extension_99999999999999999999999999999999_costCode';
    const err = await source(['department', 'departmnt', 'employeeOrgData.costCenter', `${other}`, 'skills'])
      .check()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(/^profiles\.hr\.source\.attributes: Graph refuses 'departmnt' /);
    expect(message).not.toContain('\n');
    expect(message).toContain("'departmnt' (listed as departmnt): Graph has no such user property");
    expect(message).toContain(`'${other}' (listed as ${other}): Graph has no such user property`);
    expect(message).toContain("'skills' (listed as skills): Graph returns it only for a single user");
    expect(message).not.toContain("'department'");
    expect(message).not.toContain("'employeeOrgData'");
    await expect(source(ATTRIBUTES()).check()).resolves.toBeUndefined();
  });
});

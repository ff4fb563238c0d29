import { Redis } from 'ioredis';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Snapshot } from '../../../src/model/index.js';
import { LdapSession } from '../../../src/sources/ldap/connection.js';
import { LdapSource } from '../../../src/sources/ldap/index.js';
import { ldapSourceSchema } from '../../../src/sources/ldap/schema.js';
import { schemaAttributeTypes } from '../../../src/sources/ldap/subschema.js';

const ad = inject('ad');
const OU = `OU=Attributes,${ad.baseDn}`;
const userDn = (i: number) => `CN=Attr User ${i},${OU}`;
let redis: Redis;
let admin: Client;
/** Exchange's extensionAttribute1 when the DC's schema has it (a plain Samba provision does not). */
let extension = false;

const config = (attributes: string[]) =>
  ldapSourceSchema.parse({
    kind: 'ldap',
    url: ad.url,
    bindDn: ad.bindDn,
    bindPassword: ad.password,
    preset: 'active-directory',
    people: { baseDn: OU },
    groups: { baseDn: OU },
    attributes,
  });
const source = (attributes: string[], keyPrefix?: string) =>
  new LdapSource(config(attributes), {
    log: silentLogger,
    baseDir: '/',
    profile: 'ad',
    ...(keyPrefix ? { redis, keyPrefix } : {}),
  });

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  const session = await LdapSession.open(config([]), '/', silentLogger);
  try {
    extension = (await schemaAttributeTypes(session, ad.url)).has('extensionattribute1');
  } finally {
    await session.close();
  }
  admin = new Client({ url: ad.url, timeout: 30_000 });
  await admin.bind(ad.bindDn, ad.password);
  await admin.add(OU, { objectClass: ['top', 'organizationalUnit'], ou: 'Attributes' });
  for (let i = 0; i < 3; i++) {
    await admin.add(userDn(i), {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: `attr${i}`,
      userPrincipalName: `attr${i}@corp.test`,
      displayName: `Attr User ${i}`,
      userAccountControl: '544',
      ...(i === 0
        ? {
            department: '  Finance   and  Controlling ',
            title: 'Controller',
            otherTelephone: ['+49 30 1', '+49 30 2'],
            ...(extension ? { extensionAttribute1: 'CC-4711' } : {}),
          }
        : {}),
      ...(i === 1 ? { department: 'Sales' } : {}),
    });
  }
}, 120_000);
afterAll(async () => {
  await admin.unbind();
  await redis.quit();
});

const LISTED = ['department', 'title', 'otherTelephone'];
const attributesOf = (snap: Snapshot, i: number) =>
  snap.people.find((p) => p.email === `attr${i}@corp.test`)!.attributes;
const byId = (snap: Snapshot) => [...snap.people].sort((a, b) => a.sourceId.localeCompare(b.sourceId));

describe('Active Directory source.attributes against a real Samba AD DC', () => {
  it('reads department, title, a multi-valued attribute (and extensionAttribute1 when the schema has it)', async () => {
    const listed = [...LISTED, ...(extension ? ['extensionAttribute1'] : [])];
    const { snapshot } = await source(listed).read({ mode: 'full' });

    expect(attributesOf(snapshot, 0)).toEqual({
      department: ['Finance and Controlling'],
      title: ['Controller'],
      otherTelephone: expect.arrayContaining(['+49 30 1', '+49 30 2']) as string[],
      ...(extension ? { extensionAttribute1: ['CC-4711'] } : {}),
    });
    expect(attributesOf(snapshot, 0)!.otherTelephone).toHaveLength(2);
    expect(attributesOf(snapshot, 1)).toEqual({ department: ['Sales'] });
    expect(attributesOf(snapshot, 2)).toEqual({});
  });

  it('a department change alone moves uSNChanged: the incremental read sees it and equals a full read', async () => {
    const keyPrefix = `adattr-${Date.now()}:`;
    const first = await source(LISTED, keyPrefix).read({ mode: 'full' });
    await admin.modify(userDn(1), [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'department', values: ['Marketing'] }) }),
    ]);

    const inc = await source(LISTED, keyPrefix).read({ mode: 'incremental', cursor: first.nextCursor! });
    const full = await source(LISTED).read({ mode: 'full' });

    expect(inc.mode).toBe('incremental');
    expect(attributesOf(inc.snapshot, 1)).toEqual({ department: ['Marketing'] });
    expect(byId(inc.snapshot)).toEqual(byId(full.snapshot));
  });

  it('validate: check() names the listed attributes the schema does not hold', async () => {
    await expect(source(['Department', 'TITLE']).check()).resolves.toBeUndefined();

    const err = await source(['department', 'costCentre'])
      .check()
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^profiles\.ad\.source\.attributes: "costCentre" is not an attribute of/);
  });
});

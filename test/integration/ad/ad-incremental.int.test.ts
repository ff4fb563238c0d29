import { Redis } from 'ioredis';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import { LdapSource } from '../../../src/sources/ldap/index.js';
import { ldapSourceSchema } from '../../../src/sources/ldap/schema.js';

const ad = inject('ad');
const OU = `OU=Incremental,${ad.baseDn}`;
const userDn = (i: number) => `CN=Inc User ${i},${OU}`;
let redis: Redis;
let admin: Client;

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  admin = new Client({ url: ad.url, timeout: 30_000 });
  await admin.bind(ad.bindDn, ad.password);
  await admin.add(OU, { objectClass: ['top', 'organizationalUnit'], ou: 'Incremental' });
  for (let i = 0; i < 20; i++) {
    await admin.add(userDn(i), {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: `inc${i}`,
      userPrincipalName: `inc${i}@corp.test`,
      displayName: `Inc User ${i}`,
      userAccountControl: '544',
    });
  }
  await admin.add(`CN=Inc Team,${OU}`, {
    objectClass: ['top', 'group'],
    sAMAccountName: 'incteam',
    member: [userDn(0), userDn(1)],
  });
}, 120_000);
afterAll(async () => {
  await admin.unbind();
  await redis.quit();
});

describe('Active Directory incremental reads against a real Samba AD DC', () => {
  it("starts from the DC's highestCommittedUSN, on the same DC and database, and applies changed users and groups", async () => {
    const source = new LdapSource(
      ldapSourceSchema.parse({
        kind: 'ldap',
        url: ad.url,
        bindDn: ad.bindDn,
        bindPassword: ad.password,
        preset: 'active-directory',
        people: { baseDn: OU },
        groups: { baseDn: OU },
      }),
      { log: silentLogger, baseDir: '/', profile: 'ad', redis, keyPrefix: `adinc-${Date.now()}:` },
    );
    const full = await source.read({ mode: 'full' });
    const cursor = JSON.parse(full.nextCursor!) as { marker: string; value: string; dc: string; invocationId: string };
    expect(cursor.marker).toBe('uSNChanged');
    expect(cursor.dc).toMatch(/^CN=NTDS Settings,/i);
    expect(cursor.invocationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(full.snapshot.people).toHaveLength(20);

    await admin.modify(userDn(5), [
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'userAccountControl', values: ['546'] }),
      }),
    ]);
    await admin.modify(`CN=Inc Team,${OU}`, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [userDn(7)] }) }),
    ]);
    const inc = await source.read({ mode: 'incremental', cursor: full.nextCursor! });
    expect(inc.mode).toBe('incremental');
    const snap = inc.snapshot;
    expect(snap.people).toHaveLength(20);
    expect(snap.people.find((p) => p.email === 'inc5@corp.test')!.enabled).toBe(false);
    const team = snap.groups.find((g) => g.name === 'Inc Team')!;
    expect(
      snap.people
        .filter((p) => p.groupIds.includes(team.sourceId))
        .map((p) => p.email)
        .sort(),
    ).toEqual(['inc0@corp.test', 'inc1@corp.test', 'inc7@corp.test']);
    expect(BigInt(JSON.parse(inc.nextCursor!).value)).toBeGreaterThan(BigInt(cursor.value));

    // A cursor from another DC is not trusted: the read is full.
    const foreign = JSON.stringify({
      ...cursor,
      dc: 'CN=NTDS Settings,CN=OTHERDC,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=corp,DC=test',
    });
    expect((await source.read({ mode: 'incremental', cursor: foreign })).mode).toBe('full');
  });
});

import { Client } from 'ldapts';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import { mappingSchema } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import { LdapSource } from '../../../src/sources/ldap/index.js';
import { LdapSession } from '../../../src/sources/ldap/connection.js';
import { readRanges } from '../../../src/sources/ldap/read-directory.js';
import { ldapSourceSchema } from '../../../src/sources/ldap/schema.js';

const ad = inject('ad');
const OU = `OU=Staff,${ad.baseDn}`;
const GROUPS = `OU=Groups,${ad.baseDn}`;
const userDn = (i: number) => `CN=User ${i},${OU}`;
const MEMBERS = 1501;

beforeAll(async () => {
  const admin = new Client({ url: ad.url, timeout: 30_000 });
  await admin.bind(ad.bindDn, ad.password);
  try {
    await admin.add(OU, { objectClass: ['top', 'organizationalUnit'], ou: 'Staff' });
    await admin.add(GROUPS, { objectClass: ['top', 'organizationalUnit'], ou: 'Groups' });
    for (let i = 0; i < MEMBERS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, MEMBERS - i) }, (_, k) => i + k).map((n) =>
          admin.add(userDn(n), {
            objectClass: ['top', 'person', 'organizationalPerson', 'user'],
            sAMAccountName: `user${n}`,
            userPrincipalName: `user${n}@corp.test`,
            displayName: `User ${n}`,
            ...(n % 3 === 0 ? { mail: `user${n}@mail.corp.test` } : {}),
            // 544 = NORMAL_ACCOUNT | PASSWD_NOTREQD (enabled); 546 adds ACCOUNTDISABLE.
            userAccountControl: n % 100 === 7 ? '546' : '544',
          }),
        ),
      );
    }
    await admin.add(`CN=All Staff,${GROUPS}`, {
      objectClass: ['top', 'group'],
      sAMAccountName: 'allstaff',
      member: Array.from({ length: MEMBERS }, (_, i) => userDn(i)),
    });
    await admin.add(`CN=Inner,${GROUPS}`, {
      objectClass: ['top', 'group'],
      sAMAccountName: 'inner',
      member: [userDn(1), userDn(2)],
    });
    await admin.add(`CN=Outer (EU) *,${GROUPS}`, {
      objectClass: ['top', 'group'],
      sAMAccountName: 'outer',
      member: [`CN=Inner,${GROUPS}`, userDn(3)],
    });
  } finally {
    await admin.unbind();
  }
}, 180_000);

const source = (nested: 'members' | 'in-chain') =>
  new LdapSource(
    ldapSourceSchema.parse({
      kind: 'ldap',
      url: ad.url,
      bindDn: ad.bindDn,
      bindPassword: ad.password,
      preset: 'active-directory',
      nested,
      people: { baseDn: OU },
      groups: { baseDn: GROUPS },
    }),
    { log: silentLogger, baseDir: '/', profile: 'ad' },
  );

describe('Active Directory preset against a real Samba AD DC', () => {
  it('speaks range retrieval: member;range=<low>-* answers with the rest of the values', async () => {
    // Samba (unlike Windows) does not cut `member` at MaxValRange, so chunking itself is covered by
    // recorded-entry unit tests; here a real DC answers the ranged queries the source sends.
    const config = ldapSourceSchema.parse({
      kind: 'ldap',
      url: ad.url,
      bindDn: ad.bindDn,
      bindPassword: ad.password,
      preset: 'active-directory',
      people: { baseDn: OU },
      groups: { baseDn: GROUPS },
    });
    const session = await LdapSession.open(config, '/', silentLogger);
    try {
      // Why the chunked path is not exercised here: Samba answers a plain `member` with all values.
      const [plain] = await session.search(`CN=All Staff,${GROUPS}`, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['member'],
      });
      expect(Object.keys(plain!).filter((k) => /;range=/i.test(k))).toEqual([]);
      expect(plain!.member).toHaveLength(MEMBERS);
      expect(await readRanges(session, `CN=All Staff,${GROUPS}`, 'member', 1000)).toHaveLength(MEMBERS - 1000);
      expect(new Set(await readRanges(session, `CN=All Staff,${GROUPS}`, 'member', 0)).size).toBe(MEMBERS);
    } finally {
      await session.close();
    }
  });

  it('reads a 1,501-member group as 1,501, with GUIDs, UPN fallback and disabled accounts', async () => {
    const read = await source('members').read({ mode: 'full' });
    const snap = read.snapshot;
    expect(snap.people).toHaveLength(MEMBERS);
    const all = snap.groups.find((g) => g.name === 'All Staff')!;
    expect(snap.people.filter((p) => p.groupIds.includes(all.sourceId))).toHaveLength(MEMBERS);
    expect(all.sourceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const byName = new Map(snap.people.map((p) => [p.displayName, p]));
    expect(byName.get('User 3')!.email).toBe('user3@mail.corp.test');
    expect(byName.get('User 4')!.email).toBe('user4@corp.test');
    expect(byName.get('User 7')!.enabled).toBe(false);
    expect(snap.people.filter((p) => !p.enabled)).toHaveLength(Math.floor((MEMBERS - 8) / 100) + 1);
    expect(JSON.parse(read.nextCursor!).marker).toBe('uSNChanged');
    const nested = mapDirectory(snap, mappingSchema.parse({ rules: [{ match: '^(Inner|Outer.*)$', team: '$1' }] }));
    expect(nested.people.find((p) => p.displayName === 'User 1')!.teams).toEqual(['Inner', 'Outer (EU) *']);
  });

  it('LDAP_MATCHING_RULE_IN_CHAIN gives the transitive members of each group', async () => {
    const snap = (await source('in-chain').read({ mode: 'full' })).snapshot;
    const outer = snap.groups.find((g) => g.name === 'Outer (EU) *')!;
    const inOuter = snap.people
      .filter((p) => p.groupIds.includes(outer.sourceId))
      .map((p) => p.displayName)
      .sort();
    expect(inOuter).toEqual(['User 1', 'User 2', 'User 3']);
    const all = snap.groups.find((g) => g.name === 'All Staff')!;
    expect(snap.people.filter((p) => p.groupIds.includes(all.sourceId))).toHaveLength(MEMBERS);
  });
});

import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../../src/sources/ldap/build-snapshot.js';
import {
  compareMarker,
  earlier,
  formatGeneralizedTime,
  parseCursor,
  parseGeneralizedTime,
  timestampCursor,
} from '../../../../src/sources/ldap/cursor.js';
import { dnInScope, dnKey } from '../../../../src/sources/ldap/dn.js';
import { dialectOf } from '../../../../src/sources/ldap/presets.js';
import { configFingerprint } from '../../../../src/sources/ldap/kept-directory.js';
import { personAttributes, readGroups, readPeople } from '../../../../src/sources/ldap/read-directory.js';
import { ldapSourceSchema } from '../../../../src/sources/ldap/schema.js';
import { recordedDirectory } from './recorded-directory.js';

const openldap = (over: Record<string, unknown> = {}) =>
  ldapSourceSchema.parse({
    kind: 'ldap',
    url: 'ldap://ldap.example:389',
    bindDn: 'cn=svc,dc=x',
    bindPassword: 'x',
    people: { baseDn: 'ou=people,dc=x' },
    groups: { baseDn: 'ou=groups,dc=x' },
    ...over,
  });

describe('DN keys', () => {
  it('match however the server escapes and spaces them', () => {
    expect(dnKey('CN=Smith\\, John,OU=People,DC=x')).toBe(dnKey('cn=Smith\\2C John, ou=people,dc=X'));
    expect(dnKey('cn=Zo\\C3\\AB,dc=x')).toBe(dnKey('cn=Zoë,dc=x'));
    expect(dnKey('cn=a\\,b,dc=x')).not.toBe(dnKey('cn=a,cn=b,dc=x'));
  });

  it('tell whether a DN lies in a search scope', () => {
    expect(dnInScope('uid=a,ou=people,dc=x', 'ou=People, dc=x', 'one')).toBe(true);
    expect(dnInScope('uid=a,ou=sub,ou=people,dc=x', 'ou=people,dc=x', 'one')).toBe(false);
    expect(dnInScope('uid=a,ou=sub,ou=people,dc=x', 'ou=people,dc=x', 'sub')).toBe(true);
    expect(dnInScope('uid=a,ou=other,dc=x', 'ou=people,dc=x', 'sub')).toBe(false);
    expect(dnInScope('ou=people,dc=x', 'ou=people,dc=x', 'base')).toBe(true);
  });
});

describe('snapshot from raw entries', () => {
  it('builds direct memberships and nesting from member DNs, and counts foreign members', () => {
    const { snapshot, ignoredMembers } = buildSnapshot(
      [{ dn: 'CN=A,DC=x', id: 'a', email: 'a@x.com', displayName: 'A', enabled: true }],
      [
        { dn: 'CN=G,DC=x', id: 'g', name: 'G', memberDns: ['cn=a, dc=x', 'CN=H,DC=x', 'CN=Printer,DC=x'] },
        { dn: 'CN=H,DC=x', id: 'h', name: 'H', memberDns: [] },
      ],
    );
    expect(snapshot.people[0]!.groupIds).toEqual(['g']);
    expect(snapshot.groups.find((g) => g.sourceId === 'h')!.parentIds).toEqual(['g']);
    expect(ignoredMembers).toBe(1);
    expect(snapshot.issues).toEqual([
      { where: 'groups', reason: '1 member(s) are neither people in scope nor groups: ignored' },
    ]);
  });

  it('reads the empty DN, the placeholder member of an empty groupOfNames, as no member (not a foreign one)', () => {
    const { snapshot, ignoredMembers } = buildSnapshot(
      [],
      [{ dn: 'cn=Alumni,ou=groups,dc=x', id: 'g', name: 'Alumni', memberDns: [''] }],
    );
    expect(ignoredMembers).toBe(0);
    expect(snapshot.issues).toEqual([]);
  });

  it('keeps a membership cycle as plain nesting (the mapping reports it) and reports people without email or with a duplicate one', () => {
    const { snapshot } = buildSnapshot(
      [
        { dn: 'cn=a,dc=x', id: 'a', email: 'A@x.com', displayName: 'A', enabled: true },
        { dn: 'cn=b,dc=x', id: 'b', email: 'a@X.com ', displayName: 'B', enabled: true },
        { dn: 'cn=c,dc=x', id: 'c', displayName: 'C', enabled: true },
      ],
      [
        { dn: 'cn=g1,dc=x', id: 'g1', name: 'g1', memberDns: ['cn=g2,dc=x', 'cn=a,dc=x'] },
        { dn: 'cn=g2,dc=x', id: 'g2', name: 'g2', memberDns: ['cn=g1,dc=x'] },
      ],
    );
    expect(snapshot.people.map((p) => p.sourceId)).toEqual(['a']);
    expect(snapshot.groups.map((g) => [g.sourceId, g.parentIds])).toEqual([
      ['g1', ['g2']],
      ['g2', ['g1']],
    ]);
    expect(snapshot.issues.map((i) => i.where)).toEqual(['cn=b,dc=x', 'cn=c,dc=x']);
  });

  it('reads a group of 200,000 members held in one attribute (more than a call takes as arguments)', async () => {
    const member = Array.from({ length: 200_000 }, (_, i) => `uid=u${i},ou=people,dc=x`);
    const groups = await readGroups(
      recordedDirectory({ pages: [[{ dn: 'cn=all,ou=groups,dc=x', entryUUID: 'u-all', cn: 'all', member }]] }),
      openldap(),
      dialectOf(openldap()),
    );
    expect(groups[0]!.memberDns).toHaveLength(200_000);
    expect(groups[0]!.memberDns[199_999]).toBe('uid=u199999,ou=people,dc=x');
  });

  it('reads uniqueMember values with an optional UID, and a disabled flag by value or by presence', async () => {
    const groups = await readGroups(
      recordedDirectory({
        pages: [
          [
            {
              dn: 'cn=g,ou=groups,dc=x',
              entryUUID: 'u-g',
              cn: 'g',
              uniqueMember: ["uid=a,ou=people,dc=x#'0101'B", 'uid=b,ou=people,dc=x'],
            },
          ],
        ],
      }),
      openldap(),
      dialectOf(openldap()),
    );
    expect(groups[0]!.memberDns).toEqual(['uid=a,ou=people,dc=x', 'uid=b,ou=people,dc=x']);
    const entries = [
      {
        dn: 'uid=a,ou=people,dc=x',
        entryUUID: 'u-a',
        mail: 'a@x.com',
        cn: 'A',
        pwdAccountLockedTime: '000001010000Z',
        employeeType: 'Disabled',
      },
      {
        dn: 'uid=b,ou=people,dc=x',
        entryUUID: 'u-b',
        mail: 'b@x.com',
        cn: 'B',
        pwdAccountLockedTime: [],
        employeeType: 'staff',
      },
    ];
    const byPresence = openldap({ disabled: { attribute: 'pwdAccountLockedTime' } });
    expect(
      (await readPeople(recordedDirectory({ pages: [entries] }), byPresence, dialectOf(byPresence))).people.map(
        (p) => p.enabled,
      ),
    ).toEqual([false, true]);
    const byValue = openldap({ disabled: { attribute: 'employeeType', values: ['disabled'] } });
    expect(
      (await readPeople(recordedDirectory({ pages: [entries] }), byValue, dialectOf(byValue))).people.map(
        (p) => p.enabled,
      ),
    ).toEqual([false, true]);
  });

  it('OpenLDAP: a ppolicy-locked account (pwdAccountLockedTime) is disabled by default, with or without a disabled: setting, unless turned off', async () => {
    const entries: Entry[] = [
      { dn: 'uid=a,ou=people,dc=x', entryUUID: 'u-a', mail: 'a@x.com', cn: 'A', pwdAccountLockedTime: '000001010000Z' },
      {
        dn: 'uid=b,ou=people,dc=x',
        entryUUID: 'u-b',
        mail: 'b@x.com',
        cn: 'B',
        pwdAccountLockedTime: '20261201120000Z',
        employeeType: 'staff',
      },
      {
        dn: 'uid=c,ou=people,dc=x',
        entryUUID: 'u-c',
        mail: 'c@x.com',
        cn: 'C',
        pwdAccountLockedTime: [],
        employeeType: 'disabled',
      },
      { dn: 'uid=d,ou=people,dc=x', entryUUID: 'u-d', mail: 'd@x.com', cn: 'D' },
    ];
    const enabled = async (c: ReturnType<typeof openldap>) => {
      const dir = recordedDirectory({ pages: [entries] });
      const { people } = await readPeople(dir, c, dialectOf(c));
      return {
        people,
        enabled: people.map((p) => p.enabled),
        locked: people.map((p) => p.locked === true),
        asked: dir.asked[0]!.spec.attributes,
      };
    };

    const plain = await enabled(openldap());
    expect(plain.enabled).toEqual([false, false, true, true]);
    // Locked, and not disabled otherwise: the plan says "locked" apart from "disabled".
    expect(plain.locked).toEqual([true, true, false, false]);
    expect(buildSnapshot(plain.people, []).snapshot.people.map((p) => p.locked === true)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(plain.asked).toContain('pwdAccountLockedTime'); // operational: returned only when asked by name
    expect(
      (await enabled(openldap({ disabled: { attribute: 'employeeType', values: ['disabled'] } }))).enabled,
    ).toEqual([false, false, false, true]);
    const both = await enabled(openldap({ disabled: { attribute: 'employeeType', values: ['staff'] } }));
    expect(both.locked).toEqual([true, false, false, false]); // b is locked and disabled: disabled
    const off = await enabled(openldap({ ppolicyLockDisables: false }));
    expect(off.enabled).toEqual([true, true, true, true]);
    expect(off.locked).toEqual([false, false, false, false]);
    expect(off.asked).not.toContain('pwdAccountLockedTime');
  });

  it('Active Directory: pwdAccountLockedTime means nothing and is not asked for', () => {
    const ad = openldap({ preset: 'active-directory' });
    expect(personAttributes(ad, dialectOf(ad))).not.toContain('pwdAccountLockedTime');
  });

  it('a change of ppolicyLockDisables makes the kept directory unusable (people were read under the other rule)', () => {
    expect(configFingerprint(openldap({ ppolicyLockDisables: false }))).not.toBe(configFingerprint(openldap()));
  });
});

describe('OpenLDAP high-water mark', () => {
  it('parses and formats generalized time', () => {
    const ms = parseGeneralizedTime('20261122172110Z')!;
    expect(new Date(ms).toISOString()).toBe('2026-11-22T17:21:10.000Z');
    expect(formatGeneralizedTime(ms)).toBe('20261122172110Z');
    expect(parseGeneralizedTime('20261122172110.123456Z')).toBe(ms);
    expect(parseGeneralizedTime('20261122172110+0100')).toBeUndefined();
  });

  const at = (iso: string) => Date.parse(iso);

  it('asks for changes strictly after the newest one seen when it predates the read (beyond the clock skew)', () => {
    const clock = { startedMs: at('2026-01-01T00:05:00Z'), durationSeconds: 3, maxSkewSeconds: 60 };
    expect(timestampCursor(['20260101000000Z', '20260101000130Z', undefined], clock)).toEqual({
      marker: 'modifyTimestamp',
      value: '20260101000130Z',
      after: true,
    });
  });

  it("moves back by the read's duration and the skew when the newest change may have happened during the read", () => {
    const clock = { startedMs: at('2026-01-01T00:02:00Z'), durationSeconds: 2.5, maxSkewSeconds: 60 };
    // 00:01:30 - (3 s + 60 s + 1 s for the truncated second) = 00:00:26
    expect(timestampCursor(['20260101000130Z'], clock)).toEqual({
      marker: 'modifyTimestamp',
      value: '20260101000026Z',
    });
    expect(
      timestampCursor(['20260101000130Z'], clock, { marker: 'modifyTimestamp', value: '20260101000100Z' }),
    ).toEqual({ marker: 'modifyTimestamp', value: '20260101000100Z' });
  });

  it('keeps the previous cursor when nothing was seen', () => {
    const clock = { startedMs: at('2026-01-01T00:02:00Z'), durationSeconds: 1, maxSkewSeconds: 0 };
    expect(timestampCursor([], clock, { marker: 'modifyTimestamp', value: '20260101000100Z', after: true })).toEqual({
      marker: 'modifyTimestamp',
      value: '20260101000100Z',
      after: true,
    });
    expect(timestampCursor([], clock)).toBeUndefined();
  });

  it('reads cursors it wrote and refuses others; the earlier of two covers both', () => {
    expect(parseCursor('{"marker":"modifyTimestamp","value":"20260101000000Z"}')).toEqual({
      marker: 'modifyTimestamp',
      value: '20260101000000Z',
    });
    expect(parseCursor('https://graph.microsoft.com/v1.0/users/delta?token=x')).toBeUndefined();
    expect(parseCursor('{"marker":"uSNChanged","value":"12; drop"}')).toBeUndefined();
    expect(earlier({ marker: 'uSNChanged', value: '900' }, { marker: 'uSNChanged', value: '1000' }).value).toBe('900');
    const v = '20260101000100Z';
    expect(
      earlier({ marker: 'modifyTimestamp', value: v, after: true }, { marker: 'modifyTimestamp', value: v }),
    ).toEqual({ marker: 'modifyTimestamp', value: v });
    expect(compareMarker('uSNChanged', '10', '9')).toBe(1); // numbers, not text
  });
});

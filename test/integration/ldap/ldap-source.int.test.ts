import { describe, expect, it } from 'vitest';
import { mappingSchema } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import { groupDn } from '../../support/ldif.js';
import { Client } from 'ldapts';
import {
  isLocked,
  LOCKOUT_DN,
  LOCKOUT_OU,
  LOCKOUT_PASSWORD,
  PEOPLE,
  people,
  SCOPE_GROUP,
  SCOPE_MEMBERS,
  special,
} from './directory.js';
import { capturingLogger, ldap, source } from './helpers.js';

const allGroups = mappingSchema.parse({ rules: [{ match: '^(.+)$', team: '$1' }] });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('LDAP source: full reads from a real slapd', () => {
  it('pages through 5,200+ people 500 at a time and reports the entries it cannot use', async () => {
    const { log, lines } = capturingLogger();
    const read = await source({ pageSize: 500 }, { log }).read({ mode: 'full' });
    const snap = read.snapshot;
    expect(snap.people).toHaveLength(PEOPLE + 3); // + the special people with a mail; "nomail" is reported instead
    const peoplePages = lines.filter((l) => l.msg === 'ldap page' && String(l.base).startsWith('ou=people'));
    expect(peoplePages).toHaveLength(Math.ceil((PEOPLE + special.length) / 500));
    expect(peoplePages.every((l) => (l.entries as number) <= 500)).toBe(true);
    expect(snap.issues).toContainEqual({
      where: `uid=nomail,ou=people,${ldap.suffix}`,
      reason: 'no email attribute: person skipped',
    });
    expect(snap.people.every((p) => UUID.test(p.sourceId))).toBe(true);
    expect(new Set(snap.people.map((p) => p.sourceId)).size).toBe(snap.people.length);
    expect(read.mode).toBe('full');
    expect(JSON.parse(read.nextCursor!)).toMatchObject({ marker: 'modifyTimestamp' });
  });

  it('resolves nesting three levels deep, reads the 1,501-member group as 1,501, and counts members that are not people', async () => {
    const { log, lines } = capturingLogger();
    const { snapshot } = await source({}, { log }).read({ mode: 'full' });
    const byName = new Map(snapshot.groups.map((g) => [g.name, g]));
    // Direct memberships on people, nesting on groups.
    expect(byName.get('sre')!.parentIds).toEqual([byName.get('platform')!.sourceId]);
    expect(byName.get('platform')!.parentIds).toEqual([byName.get('engineering')!.sourceId]);
    const user2 = snapshot.people.find((p) => p.email === 'user2@example.com')!;
    expect(user2.groupIds.map((id) => snapshot.groups.find((g) => g.sourceId === id)!.name).sort()).toEqual([
      SCOPE_GROUP,
      'big',
      'sre',
      'team-0',
    ]);
    // The mapping does the closure.
    const desired = mapDirectory(snapshot, allGroups);
    const teamsOf = (email: string) => desired.people.find((p) => p.email === email)?.teams;
    expect(teamsOf('user2@example.com')).toEqual(expect.arrayContaining(['engineering', 'platform', 'sre', 'big']));
    expect(teamsOf('user1@example.com')).toEqual(expect.arrayContaining(['engineering', 'platform']));
    expect(teamsOf('user1@example.com')).not.toContain('sre');
    expect(desired.warnings.join('\n')).toMatch(/group nesting cycle: cycle-a, cycle-b:/);
    const big = byName.get('big')!;
    expect(snapshot.people.filter((p) => p.groupIds.includes(big.sourceId))).toHaveLength(1501);
    // ghosts: a DN nobody has, and the people OU itself.
    expect(snapshot.issues).toContainEqual({
      where: 'groups',
      reason: '2 member(s) are neither people in scope nor groups: ignored',
    });
    expect(lines.find((l) => l.msg === 'ldap read')).toMatchObject({ ignoredMembers: 2, people: PEOPLE + 3 });
  });

  it('reads groupOfUniqueNames members, with and without the optional UID', async () => {
    const { snapshot } = await source().read({ mode: 'full' });
    const legacy = snapshot.groups.find((g) => g.name === 'legacy')!;
    expect(
      snapshot.people
        .filter((p) => p.groupIds.includes(legacy.sourceId))
        .map((p) => p.email)
        .sort(),
    ).toEqual(['user6@example.com', 'user7@example.com']);
  });

  it('marks people disabled by a value (employeeType: disabled) or by presence (ppolicy pwdAccountLockedTime)', async () => {
    const byValue = (await source({ ppolicyLockDisables: false }).read({ mode: 'full' })).snapshot;
    expect(
      byValue.people
        .filter((p) => !p.enabled)
        .map((p) => p.email)
        .sort(),
    ).toEqual(
      people
        .filter((p) => p.disabled)
        .map((p) => p.mail)
        .sort(),
    );
    const byLock = (await source({ disabled: { attribute: 'pwdAccountLockedTime' } }).read({ mode: 'full' })).snapshot;
    const locked = people.filter((_, i) => isLocked(i)).map((p) => p.mail);
    expect(locked.length).toBeGreaterThan(50);
    expect(
      byLock.people
        .filter((p) => !p.enabled)
        .map((p) => p.email)
        .sort(),
    ).toEqual(locked.sort());
  });

  it('without a disabled: setting, ppolicy-locked people are disabled by default; ppolicyLockDisables: false turns that off', async () => {
    const disabled = async (over: Record<string, unknown>) =>
      (await source({ disabled: undefined, ...over }).read({ mode: 'full' })).snapshot.people
        .filter((p) => !p.enabled)
        .map((p) => p.email)
        .sort();
    const locked = people
      .filter((_, i) => isLocked(i))
      .map((p) => p.mail)
      .sort();

    expect(await disabled({})).toEqual(locked);
    expect(await disabled({ ppolicyLockDisables: false })).toEqual([]);
    // With a disabled: setting, a lock still disables.
    const byValue = (await source().read({ mode: 'full' })).snapshot;
    expect(
      byValue.people
        .filter((p) => !p.enabled)
        .map((p) => p.email)
        .sort(),
    ).toEqual([...new Set([...people.filter((p) => p.disabled).map((p) => p.mail), ...locked])].sort());
  });

  it('an account the ppolicy overlay locks after failed binds reads as disabled', async () => {
    const lockout = { people: { baseDn: LOCKOUT_OU }, disabled: undefined };
    const before = (await source(lockout).read({ mode: 'full' })).snapshot.people;
    expect(before.map((p) => [p.email, p.enabled])).toEqual([['locksmith@example.com', true]]);

    for (let i = 0; i < 2; i++) {
      const client = new Client({ url: ldap.url, timeout: 10_000 });
      await expect(client.bind(LOCKOUT_DN, 'wrong-password')).rejects.toThrow();
      await client.unbind();
    }

    const after = (await source(lockout).read({ mode: 'full' })).snapshot.people;
    expect(after.map((p) => [p.email, p.enabled])).toEqual([['locksmith@example.com', false]]);
    const probe = new Client({ url: ldap.url, timeout: 10_000 });
    await expect(probe.bind(LOCKOUT_DN, LOCKOUT_PASSWORD)).rejects.toThrow(); // locked for real, not just marked
    await probe.unbind();
  });

  it('reads unicode and special-character names (commas, parentheses, *, \\) in values and DNs', async () => {
    const { snapshot } = await source().read({ mode: 'full' });
    const names = new Map(snapshot.people.map((p) => [p.email, p.displayName]));
    expect(names.get('juergen.mueller@example.com')).toBe('Müller, Jürgen (R&D) *\\');
    expect(names.get('john.smith@example.com')).toBe('Smith, John (Ops) a*b\\c'); // its RDN is this cn
    expect(names.get('zoe@example.com')).toBe('Zoë Ünal 日本');
    for (const name of ['R&D (EU) *', SCOPE_GROUP]) {
      const g = snapshot.groups.find((x) => x.name === name)!;
      expect(snapshot.people.filter((p) => p.groupIds.includes(g.sourceId)).map((p) => p.email)).toEqual(
        expect.arrayContaining(['john.smith@example.com', 'juergen.mueller@example.com', 'zoe@example.com']),
      );
    }
  });

  it('scopes people to members of a group whose DN needs escaping in the filter (memberOf)', async () => {
    const dn = groupDn(SCOPE_GROUP);
    expect(dn).toMatch(/\\,.*\(Team\) \*\\\\/); // the DN itself carries \, and \\
    const { snapshot } = await source({ people: { baseDn: `ou=people,${ldap.suffix}`, memberOf: [dn] } }).read({
      mode: 'full',
    });
    expect(snapshot.people.map((p) => p.email).sort()).toEqual(
      [
        'john.smith@example.com',
        'juergen.mueller@example.com',
        ...Array.from({ length: SCOPE_MEMBERS }, (_, i) => `user${i}@example.com`),
        'zoe@example.com',
      ].sort(),
    );
    // An operator's own filter with a special value, escaped by hand, agrees.
    const own = await source({
      people: {
        baseDn: `ou=people,${ldap.suffix}`,
        filter: '(&(objectClass=inetOrgPerson)(cn=Smith, John \\28Ops\\29 a\\2ab\\5cc))',
      },
    }).read({ mode: 'full' });
    expect(own.snapshot.people.map((p) => p.email)).toEqual(['john.smith@example.com']);
  });
});

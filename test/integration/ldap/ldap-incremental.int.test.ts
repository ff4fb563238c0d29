import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { groupDn, personDn } from '../../support/ldif.js';
import { people, SCOPE_GROUP, SCOPE_MEMBERS } from './directory.js';
import { add, admin, capturingLogger, ldap, remove, replace, source } from './helpers.js';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(() => redis.quit());

const dn = (i: number) => personDn(people[i]!);
const prefix = () => `ldapinc-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
/** modifyTimestamp has one-second resolution: let the newest change fall at least a second behind the next read. */
const settle = () => sleep(2100);

describe('LDAP source: incremental reads on the kept directory', () => {
  it('reads only what changed since the cursor and still returns the whole directory', async () => {
    const keyPrefix = prefix();
    const { log, lines } = capturingLogger();
    const s = source({ maxClockSkewSeconds: 0 }, { redis, keyPrefix, profile: 'corp', log });
    await settle();
    const full = await s.read({ mode: 'full' });
    expect(JSON.parse(full.nextCursor!)).toMatchObject({ marker: 'modifyTimestamp', after: true });
    expect(await redis.exists(`${keyPrefix}ldap:corp:snapshot`)).toBe(1);
    const a = await admin();
    try {
      await a.modify(dn(10), [replace('cn', ['Renamed Ten'])]);
      await a.modify(groupDn('sre'), [add('member', [dn(11)])]);
      lines.length = 0;
      const inc = await s.read({ mode: 'incremental', cursor: full.nextCursor! });
      expect(inc.mode).toBe('incremental');
      expect(lines.find((l) => l.msg === 'ldap incremental changes')).toMatchObject({ people: 1, groups: 1 });
      expect(inc.requests!).toBeLessThan(full.requests!);
      const snap = inc.snapshot;
      expect(snap.people).toHaveLength(full.snapshot.people.length);
      expect(snap.groups).toHaveLength(full.snapshot.groups.length);
      expect(snap.people.find((p) => p.email === 'user10@example.com')!.displayName).toBe('Renamed Ten');
      const sre = snap.groups.find((g) => g.name === 'sre')!;
      expect(snap.people.find((p) => p.email === 'user11@example.com')!.groupIds).toContain(sre.sourceId);
      const big = snap.groups.find((g) => g.name === 'big')!;
      expect(snap.people.filter((p) => p.groupIds.includes(big.sourceId))).toHaveLength(1501);
      expect(JSON.parse(inc.nextCursor!).value >= JSON.parse(full.nextCursor!).value).toBe(true);
    } finally {
      await a.modify(groupDn('sre'), [remove('member', [dn(11)])]);
      await a.modify(dn(10), [replace('cn', ['User 10'])]);
      await a.unbind();
    }
  });

  it('someone added to the memberOf scope group enters on an incremental read, though their own entry did not change', async () => {
    const scope = {
      people: { baseDn: `ou=people,${ldap.suffix}`, memberOf: [groupDn(SCOPE_GROUP)] },
      maxClockSkewSeconds: 0,
    };
    const s = source(scope, { redis, keyPrefix: prefix() });
    await settle();
    const full = await s.read({ mode: 'full' });
    expect(full.snapshot.people).toHaveLength(SCOPE_MEMBERS + 3);
    const a = await admin();
    try {
      await a.modify(groupDn(SCOPE_GROUP), [add('member', [dn(30)])]);
      const inc = await s.read({ mode: 'incremental', cursor: full.nextCursor! });
      expect(inc.mode).toBe('incremental');
      expect(inc.snapshot.people.map((p) => p.email)).toContain('user30@example.com');
      const g = inc.snapshot.groups.find((x) => x.name === SCOPE_GROUP)!;
      expect(inc.snapshot.people.find((p) => p.email === 'user30@example.com')!.groupIds).toContain(g.sourceId);
    } finally {
      await a.modify(groupDn(SCOPE_GROUP), [remove('member', [dn(30)])]);
      await a.unbind();
    }
  });

  it('a change made during a read, behind the newest timestamp seen, is picked up by the next incremental read', async () => {
    const keyPrefix = prefix();
    const over = { maxClockSkewSeconds: 0, pageSize: 100 };
    await settle();
    const a = await admin();
    try {
      // Once the first page (user0) has gone by, change user0 and a person read much later (user5000).
      let pages = 0;
      let changes: Promise<unknown> = Promise.resolve();
      const { log } = capturingLogger((line) => {
        if (line.msg === 'ldap page' && ++pages === 1) {
          changes = Promise.all([
            a.modify(dn(0), [replace('cn', ['Changed During Read'])]),
            a.modify(dn(5000), [replace('cn', ['Also Changed'])]),
          ]);
        }
      });
      const during = await source(over, { redis, keyPrefix, log }).read({ mode: 'full' });
      await changes;
      const name = (snap: typeof during.snapshot, email: string) =>
        snap.people.find((p) => p.email === email)!.displayName;
      expect(name(during.snapshot, 'user0@example.com')).toBe('User 0');
      expect(name(during.snapshot, 'user5000@example.com')).toBe('Also Changed');
      // user0's change carries the same timestamp as the newest one seen: the cursor must not pass it.
      expect(JSON.parse(during.nextCursor!).after).toBeUndefined();
      const next = await source(over, { redis, keyPrefix }).read({ mode: 'incremental', cursor: during.nextCursor! });
      expect(next.mode).toBe('incremental');
      expect(name(next.snapshot, 'user0@example.com')).toBe('Changed During Read');
      expect(name(next.snapshot, 'user5000@example.com')).toBe('Also Changed');
    } finally {
      await a.modify(dn(0), [replace('cn', ['User 0'])]);
      await a.modify(dn(5000), [replace('cn', ['User 5000'])]);
      await a.unbind();
    }
  });

  it('falls back to a full read without a kept directory, after a config change, or with a foreign cursor', async () => {
    const keyPrefix = prefix();
    const first = await source({}, { redis, keyPrefix }).read({ mode: 'full' });
    const noRedis = await source().read({ mode: 'incremental', cursor: first.nextCursor! });
    expect(noRedis.mode).toBe('full');
    const { log, lines } = capturingLogger();
    const changedConfig = await source(
      { groups: { baseDn: `ou=groups,${ldap.suffix}`, filter: '(cn=team-*)' } },
      { redis, keyPrefix, log },
    ).read({ mode: 'incremental', cursor: first.nextCursor! });
    expect(changedConfig.mode).toBe('full');
    expect(lines.find((l) => l.msg === 'ldap: incremental read falls back to a full read')).toMatchObject({
      reason: 'the source configuration changed since the kept directory was read',
    });
    const foreign = await source({}, { redis, keyPrefix }).read({
      mode: 'incremental',
      cursor: 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x',
    });
    expect(foreign.mode).toBe('full');
  });
});

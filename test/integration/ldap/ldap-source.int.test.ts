import { createServer, createConnection, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { Change, Attribute, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mappingSchema } from '../../../src/config/schema.js';
import { SourceReadError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import { LdapSource } from '../../../src/sources/ldap/index.js';
import { ldapSourceSchema, type LdapSourceConfig } from '../../../src/sources/ldap/schema.js';
import { groupDn, personDn } from '../../support/ldif.js';
import { PEOPLE, people } from './directory.js';

const ldap = inject('ldap');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(() => redis.quit());

const config = (over: Record<string, unknown> = {}): LdapSourceConfig => ldapSourceSchema.parse({
  kind: 'ldap', url: ldap.url, bindDn: ldap.bindDn, bindPassword: ldap.password, pageSize: 500,
  people: { baseDn: `ou=people,${ldap.suffix}` }, groups: { baseDn: `ou=groups,${ldap.suffix}` },
  disabled: { attribute: 'employeeType', values: ['disabled'] },
  ...over,
});
const source = (over: Record<string, unknown> = {}, keyPrefix = `ldaptest-${Date.now()}-${Math.random()}:`) =>
  new LdapSource(config(over), { log: silentLogger, baseDir: '/', profile: 'ldap', redis, keyPrefix });
const allGroups = mappingSchema.parse({ rules: [{ match: '^(.+)$', team: '$1' }] });

describe('LDAP source against a real slapd', () => {
  it('pages through every person (500 per page) and reports people it cannot use', async () => {
    const read = await source().read({ mode: 'full' });
    const snap = read.snapshot;
    expect(snap.people).toHaveLength(PEOPLE + 3);
    expect(read.requests).toBeGreaterThanOrEqual(Math.ceil((PEOPLE + 4) / 500));
    expect(snap.people.filter((p) => !p.enabled)).toHaveLength(people.filter((p) => p.disabled).length);
    expect(snap.issues.map((i) => i.reason)).toContain('no email attribute: person skipped');
    expect(snap.people[0]!.sourceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(read.mode).toBe('full');
    expect(JSON.parse(read.nextCursor!)).toMatchObject({ marker: 'modifyTimestamp' });
  });

  it('resolves nesting three levels deep, a 1,501-member group in full, and counts non-person members', async () => {
    const { snapshot } = await source().read({ mode: 'full' });
    const desired = mapDirectory(snapshot, allGroups);
    const teamsOf = (email: string) => desired.people.find((p) => p.email === email)?.teams;
    expect(teamsOf('user2@example.com')).toEqual(expect.arrayContaining(['engineering', 'platform', 'sre', 'big']));
    expect(teamsOf('user1@example.com')).toEqual(expect.arrayContaining(['engineering', 'platform']));
    expect(teamsOf('user1@example.com')).not.toContain('sre');
    const big = snapshot.groups.find((g) => g.name === 'big')!;
    expect(snapshot.people.filter((p) => p.groupIds.includes(big.sourceId))).toHaveLength(1501);
    expect(snapshot.issues.map((i) => i.reason)).toContain('2 member(s) are neither people in scope nor groups: ignored');
    expect(desired.warnings.join('\n')).toMatch(/cycle: cycle-(a|b) -> cycle-(a|b) -> cycle-(a|b)/);
  });

  it('reads unicode and special-character names (commas, parentheses, *, \\) in values and DNs', async () => {
    const { snapshot } = await source().read({ mode: 'full' });
    const names = new Map(snapshot.people.map((p) => [p.email, p.displayName]));
    expect(names.get('juergen.mueller@example.com')).toBe('Müller, Jürgen (R&D) *\\');
    expect(names.get('john.smith@example.com')).toBe('Smith, John (Ops) a*b\\c');
    expect(names.get('zoe@example.com')).toBe('Zoë Ünal 日本');
    const rnd = snapshot.groups.find((g) => g.name === 'R&D (EU) *')!;
    expect(snapshot.people.filter((p) => p.groupIds.includes(rnd.sourceId)).map((p) => p.email).sort()).toEqual(['john.smith@example.com', 'juergen.mueller@example.com', 'zoe@example.com']);
  });

  it('StartTLS verifies the server with the configured CA, and refuses it without', async () => {
    const { snapshot } = await source({ startTls: true, caFile: ldap.caFile, people: { baseDn: `ou=people,${ldap.suffix}`, filter: '(uid=user1*)' } }).read({ mode: 'full' });
    expect(snapshot.people.length).toBeGreaterThan(10);
    const err = await source({ startTls: true }).read({ mode: 'full' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).code).toBe('SOURCE_TLS');
  });

  it('a wrong password is a clear error that does not contain the password', async () => {
    const err = await source({ bindPassword: 'wrong-pw-4711' }).read({ mode: 'full' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).code).toBe('SOURCE_AUTH_FAILED');
    expect((err as Error).message).toMatch(/bind as "cn=admin,dc=example,dc=com" failed: invalid credentials/);
    expect(JSON.stringify({ m: (err as Error).message, s: (err as Error).stack })).not.toMatch(/wrong-pw-4711|admin-secret-pw/);
  });

  it('an unreachable server and a bad base DN are named', async () => {
    const down = await source({ url: 'ldap://127.0.0.1:1' }).read({ mode: 'full' }).catch((e: unknown) => e);
    expect((down as SourceReadError).code).toBe('SOURCE_UNREACHABLE');
    const bad = await source({ people: { baseDn: `ou=nope,${ldap.suffix}` } }).read({ mode: 'full' }).catch((e: unknown) => e);
    expect((bad as SourceReadError).code).toBe('SOURCE_BAD_BASE_DN');
  });

  it('the server going away mid-read fails the read: no partial directory', async () => {
    // A proxy that drops the connection after ~200 kB: a server dying during paging.
    let proxy: Server | undefined;
    const port = await new Promise<number>((resolve) => {
      proxy = createServer((client) => {
        const upstream = createConnection({ host: '127.0.0.1', port: ldap.port });
        let sent = 0;
        upstream.on('data', (d: Buffer) => {
          sent += d.length;
          client.write(d);
          if (sent > 200_000) {
            upstream.destroy();
            client.destroy();
          }
        });
        client.on('data', (d: Buffer) => upstream.write(d));
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      }).listen(0, '127.0.0.1', () => resolve((proxy!.address() as { port: number }).port));
    });
    try {
      const err = await source({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 5000 }).read({ mode: 'full' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceReadError);
    } finally {
      proxy!.close();
    }
  });

  it('an incremental read applies changes since the cursor onto the kept directory', async () => {
    const prefix = `ldapinc-${Date.now()}:`;
    const s = source({}, prefix);
    const full = await s.read({ mode: 'full' });
    await new Promise((r) => setTimeout(r, 1100)); // modifyTimestamp has one-second resolution
    const admin = new Client({ url: ldap.url, timeout: 5000 });
    await admin.bind(ldap.bindDn, ldap.password);
    try {
      await admin.modify(personDn(people[10]!), [new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: ['Renamed Ten'] }) })]);
      await admin.modify(groupDn('sre'), [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [personDn(people[11]!)] }) })]);
      const inc = await s.read({ mode: 'incremental', cursor: full.nextCursor! });
      expect(inc.mode).toBe('incremental');
      expect(inc.requests!).toBeLessThan(full.requests!);
      const snap = inc.snapshot;
      expect(snap.people).toHaveLength(full.snapshot.people.length);
      expect(snap.people.find((p) => p.email === 'user10@example.com')!.displayName).toBe('Renamed Ten');
      const sre = snap.groups.find((g) => g.name === 'sre')!;
      expect(snap.people.find((p) => p.email === 'user11@example.com')!.groupIds).toContain(sre.sourceId);
      expect(JSON.parse(inc.nextCursor!).value >= JSON.parse(full.nextCursor!).value).toBe(true);
    } finally {
      await admin.modify(groupDn('sre'), [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [personDn(people[11]!)] }) })]);
      await admin.modify(personDn(people[10]!), [new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: ['User 10'] }) })]);
      await admin.unbind();
    }
  });

  it('without a kept directory, an incremental request reads in full', async () => {
    const read = await new LdapSource(config(), { log: silentLogger, baseDir: '/', profile: 'x' }).read({ mode: 'incremental', cursor: '{"marker":"modifyTimestamp","value":"20200101000000Z"}' });
    expect(read.mode).toBe('full');
  });
});

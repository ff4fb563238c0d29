import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wireApp } from '../../../src/app/open-app.js';
import { exitCodeOf } from '../../../src/cli/exit-code-of.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { SourceCredentialsError, SourceReadError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { LdapSession } from '../../../src/sources/ldap/connection.js';
import type { SourceRead } from '../../../src/sources/source.js';
import { directoryLdif, type LdifPerson } from '../../support/ldif.js';
import { ADMIN_DN, startSlapd, SUFFIX } from '../../support/slapd.js';
import { capturingLogger, config, ldap, source } from './helpers.js';

const failure = (p: Promise<SourceRead>) =>
  p.then(
    (read) => ({ read }),
    (err: unknown) => ({ err: err as SourceReadError }),
  );

describe('LDAP source: connection, TLS, credentials and failures', () => {
  it('StartTLS verifies the server with the configured CA, and refuses it without', async () => {
    const narrow = {
      people: { baseDn: `ou=people,${ldap.suffix}`, filter: '(uid=user1*)' },
      groups: { baseDn: `ou=groups,${ldap.suffix}`, filter: '(cn=sre)' },
    };
    const { snapshot } = await source({ ...narrow, startTls: true, caFile: ldap.caFile }).read({ mode: 'full' });
    expect(snapshot.people.length).toBeGreaterThan(10);
    const { err } = (await failure(source({ ...narrow, startTls: true }).read({ mode: 'full' }))) as {
      err: SourceReadError;
    };
    expect(err).toBeInstanceOf(SourceReadError);
    expect(err.code).toBe('SOURCE_TLS');
    expect(err.message).toMatch(
      /TLS failed \(.+\); give the CA .* in (profiles\.\w+\.)?source\.caFile \(or to Node with NODE_EXTRA_CA_CERTS\)$/,
    );
  });

  it('insecureSkipVerify reads without the CA only when configured, and says so at warn level', async () => {
    const { log, lines } = capturingLogger();
    const narrow = { people: { baseDn: `ou=people,${ldap.suffix}`, filter: '(uid=user2*)' } };
    const { snapshot } = await source({ ...narrow, startTls: true, insecureSkipVerify: true }, { log }).read({
      mode: 'full',
    });
    expect(snapshot.people.length).toBeGreaterThan(10);
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toContain(
      'LDAP certificate verification is OFF (insecureSkipVerify): use only for tests',
    );
  });

  it('a wrong password is SOURCE_AUTH_FAILED, and the password is in no message, stack or log line', async () => {
    const { log, text } = capturingLogger();
    const { err } = (await failure(source({ bindPassword: 'wrong-pw-4711' }, { log }).read({ mode: 'full' }))) as {
      err: SourceReadError;
    };
    expect(err).toBeInstanceOf(SourceReadError);
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err).toBeInstanceOf(SourceCredentialsError);
    expect(exitCodeOf(err)).toBe(EXIT.config);
    expect(err.message).toBe(
      `ldap ${ldap.url}: bind as "${ldap.bindDn}" failed: invalid credentials (LDAP result 49); ` +
        'fix profiles.ldap.source.bindPassword, or profiles.ldap.source.bindDn if the account is wrong',
    );
    expect(JSON.stringify({ m: err.message, s: err.stack, c: String(err.cause) }) + text()).not.toMatch(
      /wrong-pw-4711|svc-Secret-4711/,
    );
  });

  it('a refused password from ${VAR} or bindPasswordFile names the variable or the file (exit 78), not the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cred-ldap-'));
    writeFileSync(join(dir, 'ldap.pw'), 'wrong-from-file-93\n');
    const write = (password: string) => {
      const path = join(dir, 'rostersync.yaml');
      writeFileSync(
        path,
        [
          'target: { kind: grafana, baseUrl: "http://127.0.0.1:3000", token: t }',
          'profiles:',
          '  - name: hr',
          '    source:',
          '      kind: ldap',
          `      url: ${ldap.url}`,
          `      bindDn: "${ldap.bindDn}"`,
          `      ${password}`,
          `      people: { baseDn: "ou=people,${ldap.suffix}" }`,
          `      groups: { baseDn: "ou=groups,${ldap.suffix}" }`,
          '',
        ].join('\n'),
      );
      return path;
    };
    try {
      const fromEnv = wireApp(
        await loadConfig(write('bindPassword: ${LDAP_BIND_PASSWORD}'), { LDAP_BIND_PASSWORD: 'wrong-from-env-42' }),
        { log: silentLogger },
      );
      const { err: envErr } = (await failure(fromEnv.source.read({ mode: 'full' }))) as { err: SourceReadError };
      expect(envErr).toBeInstanceOf(SourceCredentialsError);
      expect(exitCodeOf(envErr)).toBe(EXIT.config);
      expect(envErr.message).toMatch(
        /; fix the environment variable \$LDAP_BIND_PASSWORD \(read by profiles\.hr\.source\.bindPassword\), or profiles\.hr\.source\.bindDn if the account is wrong$/,
      );
      // validate's check binds the same way.
      await expect(fromEnv.source.check!()).rejects.toThrow(/\$LDAP_BIND_PASSWORD/);

      const fromFile = wireApp(await loadConfig(write('bindPasswordFile: ldap.pw'), {}), { log: silentLogger });
      const { err: fileErr } = (await failure(fromFile.source.read({ mode: 'full' }))) as { err: SourceReadError };
      expect(exitCodeOf(fileErr)).toBe(EXIT.config);
      expect(fileErr.message).toMatch(/; fix the file ldap\.pw \(profiles\.hr\.source\.bindPasswordFile\), or /);
      expect(envErr.message + fileErr.message).not.toMatch(/wrong-from-(env|file)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the password from bindPasswordFile, and never binds with an empty one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rostersync-ldap-pw-'));
    writeFileSync(join(dir, 'pw'), `${ldap.password}\n`);
    writeFileSync(join(dir, 'empty'), '');
    const narrow = {
      people: { baseDn: `ou=people,${ldap.suffix}`, filter: '(uid=user3*)' },
      groups: { baseDn: `ou=groups,${ldap.suffix}`, filter: '(cn=sre)' },
    };
    const { snapshot } = await source({ ...narrow, bindPassword: undefined, bindPasswordFile: join(dir, 'pw') }).read({
      mode: 'full',
    });
    expect(snapshot.people.length).toBeGreaterThan(10);
    const { err } = (await failure(
      source({ ...narrow, bindPassword: undefined, bindPasswordFile: join(dir, 'empty') }).read({ mode: 'full' }),
    )) as { err: SourceReadError };
    expect(err.code).toBe('SOURCE_CONFIG');
  });

  it('an unreachable server is named', async () => {
    const { err: down } = (await failure(source({ url: 'ldap://127.0.0.1:1' }).read({ mode: 'full' }))) as {
      err: SourceReadError;
    };
    expect(down.code).toBe('SOURCE_UNREACHABLE');
  });

  it("a base DN that does not exist is named with its config key, its DN, the server's suffix and what to check", async () => {
    const nope = `ou=nope,${ldap.suffix}`;
    const { err: bad } = (await failure(source({ people: { baseDn: nope } }).read({ mode: 'full' }))) as {
      err: SourceReadError;
    };
    expect(bad).toBeInstanceOf(SourceReadError);
    expect(bad.code).toBe('SOURCE_BAD_BASE_DN');
    expect(bad.message).toBe(
      `ldap ${ldap.url}: profile "ldap": source.people.baseDn "${nope}" does not exist, or "${ldap.bindDn}" may not read it ` +
        `(the server holds ${ldap.suffix}); check the DN for typos, that it ends in the server's suffix, and the bind DN's read access`,
    );

    const { err: groups } = (await failure(
      source({ groups: { baseDn: `ou=Nope,${ldap.suffix}` } }).read({ mode: 'full' }),
    )) as { err: SourceReadError };
    expect(groups.code).toBe('SOURCE_BAD_BASE_DN');
    expect(groups.message).toContain(`source.groups.baseDn "ou=Nope,${ldap.suffix}" does not exist`);

    await expect(source({ groups: { baseDn: nope } }).check()).rejects.toMatchObject({
      code: 'SOURCE_BAD_BASE_DN',
      message: expect.stringContaining(`source.groups.baseDn "${nope}"`),
    });
    const ghost = `cn=ghost,ou=groups,${ldap.suffix}`;
    await expect(
      source({ people: { baseDn: `ou=people,${ldap.suffix}`, memberOf: [ghost] } }).check(),
    ).rejects.toMatchObject({
      code: 'SOURCE_BAD_BASE_DN',
      message: expect.stringContaining(`source.people.memberOf[0] "${ghost}" does not exist`),
    });
    await expect(source().check()).resolves.toBeUndefined();
  });

  it('a server size limit fails the read instead of returning the first 500 people', async () => {
    const { err, read } = (await failure(
      source({ bindDn: ldap.limitedDn, bindPassword: ldap.limitedPassword }).read({ mode: 'full' }),
    )) as { err: SourceReadError; read?: SourceRead };
    expect(read).toBeUndefined();
    expect(err.code).toBe('SOURCE_SIZE_LIMIT');
  });

  it('a server killed during a paged read fails the read: no snapshot, no partial directory', async () => {
    // A second, short-lived slapd of this test's own, killed once the third page has arrived.
    const many: LdifPerson[] = Array.from({ length: 3000 }, (_, i) => ({
      uid: `p${i}`,
      cn: `Person ${i}`,
      mail: `p${i}@example.com`,
    }));
    const doomed = await startSlapd(directoryLdif(many, []));
    try {
      let pages = 0;
      const { log } = capturingLogger((line) => {
        if (line.msg === 'ldap page' && ++pages === 3) doomed.kill('SIGKILL');
      });
      const result = await failure(
        source(
          {
            url: doomed.url,
            bindDn: ADMIN_DN,
            bindPassword: doomed.password,
            pageSize: 100,
            timeoutMs: 10_000,
            people: { baseDn: `ou=people,${SUFFIX}` },
            groups: { baseDn: `ou=groups,${SUFFIX}` },
          },
          { log },
        ).read({ mode: 'full' }),
      );
      expect('read' in result).toBe(false);
      const { err } = result as { err: SourceReadError };
      expect(err).toBeInstanceOf(SourceReadError);
      expect(err.code, err.message).toBe('SOURCE_UNREACHABLE');
      // Page 4 was asked for ahead when page 3 arrived: it may come before the kill lands; no later one can.
      expect([3, 4]).toContain(pages);
    } finally {
      await doomed.stop();
    }
  });

  it('pages are asked for one ahead; a caller that stops early ends the search and the session goes on', async () => {
    const c = config({ pageSize: 5 });
    const session = await LdapSession.open(c, '/', silentLogger);
    try {
      const spec = { scope: 'sub' as const, filter: '(objectClass=inetOrgPerson)', attributes: ['mail'] };
      const all: string[] = [];
      for await (const page of session.pages(c.people.baseDn, spec)) all.push(...page.map((e) => e.dn));
      expect(all.length).toBeGreaterThan(10);
      expect(new Set(all).size).toBe(all.length);

      const first: string[] = [];
      for await (const page of session.pages(c.people.baseDn, spec)) {
        first.push(...page.map((e) => e.dn));
        break;
      }
      expect(first).toEqual(all.slice(0, 5));
      // The same connection still answers, in full.
      const again: string[] = [];
      for await (const page of session.pages(c.people.baseDn, spec)) again.push(...page.map((e) => e.dn));
      expect(again).toEqual(all);
    } finally {
      await session.close();
    }
  });

  it('an aborted read rejects with SOURCE_ABORTED', async () => {
    const controller = new AbortController();
    let pages = 0;
    const { log } = capturingLogger((line) => {
      if (line.msg === 'ldap page' && ++pages === 2) controller.abort();
    });
    const { err } = (await failure(
      source({ pageSize: 200 }, { log }).read({ mode: 'full', signal: controller.signal }),
    )) as { err: SourceReadError };
    expect(err.code).toBe('SOURCE_ABORTED');
  });
});

import { InvalidCredentialsError, NoSuchObjectError, SizeLimitExceededError, TimeLimitExceededError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../../src/cli/exit-code-of.js';
import { EXIT } from '../../../../src/cli/exit-codes.js';
import { SourceCredentialsError } from '../../../../src/errors/index.js';
import { configKeysOf, missingEntryError, toSourceError } from '../../../../src/sources/ldap/errors.js';

const c = { url: 'ldaps://dc1.corp.example:636', bindDn: 'CN=svc,DC=corp,DC=example' };
const codeOf = (err: unknown) => toSourceError(err, c, 'search').code;

describe('LDAP error codes', () => {
  it("a chain Node does not trust points at the connection's CA setting and NODE_EXTRA_CA_CERTS", () => {
    const selfSigned = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });

    expect(toSourceError(selfSigned, c, 'bind', 'hr').message).toBe(
      "ldap ldaps://dc1.corp.example:636: bind: TLS failed (self-signed certificate in certificate chain); give the CA that signed the server's certificate as a PEM file in profiles.hr.source.caFile (or to Node with NODE_EXTRA_CA_CERTS)",
    );
    expect(toSourceError(selfSigned, { ...c, caFile: 'corp-ca.pem' }, 'bind', 'hr').message).toMatch(
      /TLS failed \(self-signed certificate in certificate chain\); the CA in profiles\.hr\.source\.caFile \(corp-ca\.pem\) did not sign the server's certificate: give the CA that did$/,
    );
    expect(toSourceError(new Error('certificate has expired'), c, 'bind').message).toBe(
      'ldap ldaps://dc1.corp.example:636: bind: TLS failed (certificate has expired)',
    );
  });

  it('names bad credentials, a missing base DN, server limits and timeouts', () => {
    expect(codeOf(new InvalidCredentialsError('Invalid Credentials'))).toBe('SOURCE_AUTH_FAILED');
    expect(toSourceError(new InvalidCredentialsError('x'), c, 'bind').message).toBe(
      'ldap ldaps://dc1.corp.example:636: bind as "CN=svc,DC=corp,DC=example" failed: invalid credentials (LDAP result 49); fix source.bindPassword, or source.bindDn if the account is wrong',
    );
    expect(codeOf(new NoSuchObjectError('No Such Object'))).toBe('SOURCE_BAD_BASE_DN');
    expect(codeOf(new SizeLimitExceededError('Size Limit Exceeded'))).toBe('SOURCE_SIZE_LIMIT');
    expect(codeOf(new TimeLimitExceededError('Time Limit Exceeded'))).toBe('SOURCE_TIMEOUT');
    expect(codeOf(new Error('SearchRequest: Operation timed out'))).toBe('SOURCE_TIMEOUT');
  });

  it('a refused bind (result 49) is a credentials error (exit 78) naming the key to fix and where its value came from', () => {
    const keyToFix = (key: string) =>
      key === 'bindPassword'
        ? `the environment variable $LDAP_BIND_PASSWORD (read by profiles.hr.source.${key})`
        : `profiles.hr.source.${key}`;
    const err = toSourceError(new InvalidCredentialsError('Invalid Credentials'), c, 'bind', 'hr', keyToFix);

    expect(err).toBeInstanceOf(SourceCredentialsError);
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(exitCodeOf(err)).toBe(EXIT.config);
    expect(err.message).toBe(
      'ldap ldaps://dc1.corp.example:636: bind as "CN=svc,DC=corp,DC=example" failed: invalid credentials (LDAP result 49); ' +
        'fix the environment variable $LDAP_BIND_PASSWORD (read by profiles.hr.source.bindPassword), or profiles.hr.source.bindDn if the account is wrong',
    );
    // A password file the session read itself (no loader in between) is named as the file.
    expect(
      toSourceError(new InvalidCredentialsError('x'), { ...c, bindPasswordFile: '/run/secrets/ldap' }, 'bind', 'hr')
        .message,
    ).toMatch(
      /; fix the file \/run\/secrets\/ldap \(profiles\.hr\.source\.bindPasswordFile\), or profiles\.hr\.source\.bindDn/,
    );
    // Active Directory says why in its diagnostic message.
    const ad = new InvalidCredentialsError(
      '80090308: LdapErr: DSID-0C09050F, comment: AcceptSecurityContext error, data 775, v4563',
    );
    expect(toSourceError(ad, c, 'bind').message).toMatch(
      /invalid credentials \(LDAP result 49\); Active Directory says: the account is locked out \(data 775\); fix source\.bindPassword/,
    );
  });

  it('treats every way ldapts reports a dropped connection as SOURCE_UNREACHABLE', () => {
    for (const message of [
      'Connection closed before message response was received. Message type: SearchRequest (0x63)',
      'Socket error. Message type: SearchRequest (0x63)\nread ECONNRESET',
      'Socket connection not established',
    ])
      expect(codeOf(new Error(message))).toBe('SOURCE_UNREACHABLE');
    expect(codeOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(
      'SOURCE_UNREACHABLE',
    );
  });

  it('names TLS failures and keeps anything else generic', () => {
    expect(
      codeOf(
        Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      ),
    ).toBe('SOURCE_TLS');
    expect(codeOf(new Error('something odd'))).toBe('SOURCE_READ_FAILED');
  });

  it('names the config keys that hold a DN the server does not know, compared as DNs', () => {
    const config = {
      people: {
        baseDn: 'OU=Staff,DC=corp,DC=example',
        scope: 'sub' as const,
        memberOf: ['CN=App,OU=Groups,DC=corp,DC=example'],
      },
      groups: { baseDn: 'ou=staff, dc=corp,dc=example', scope: 'sub' as const },
    };

    expect(configKeysOf(config, 'ou=Staff,dc=corp,dc=example')).toEqual([
      'source.people.baseDn',
      'source.groups.baseDn',
    ]);
    expect(configKeysOf(config, 'cn=app,ou=groups,dc=corp,dc=example')).toEqual(['source.people.memberOf[0]']);
    expect(configKeysOf(config, 'CN=Someone,OU=Staff,DC=corp,DC=example')).toEqual([]);
    const err = missingEntryError(
      c,
      { keys: ['source.people.baseDn'], dn: 'OU=Staf,DC=corp,DC=example', held: [] },
      new NoSuchObjectError(),
    );
    expect([err.code, err.message]).toEqual([
      'SOURCE_BAD_BASE_DN',
      'ldap ldaps://dc1.corp.example:636: source.people.baseDn "OU=Staf,DC=corp,DC=example" does not exist, or "CN=svc,DC=corp,DC=example" may not read it; check the DN for typos, that it ends in the server\'s suffix, and the bind DN\'s read access',
    ]);
  });
});

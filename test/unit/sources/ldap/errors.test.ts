import { InvalidCredentialsError, NoSuchObjectError, SizeLimitExceededError, TimeLimitExceededError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { toSourceError } from '../../../../src/sources/ldap/errors.js';

const c = { url: 'ldaps://dc1.corp.example:636', bindDn: 'CN=svc,DC=corp,DC=example' };
const codeOf = (err: unknown) => toSourceError(err, c, 'search').code;

describe('LDAP error codes', () => {
  it('names bad credentials, a missing base DN, server limits and timeouts', () => {
    expect(codeOf(new InvalidCredentialsError('Invalid Credentials'))).toBe('SOURCE_AUTH_FAILED');
    expect(toSourceError(new InvalidCredentialsError('x'), c, 'bind').message).toBe('ldap ldaps://dc1.corp.example:636: bind as "CN=svc,DC=corp,DC=example" failed: invalid credentials');
    expect(codeOf(new NoSuchObjectError('No Such Object'))).toBe('SOURCE_BAD_BASE_DN');
    expect(codeOf(new SizeLimitExceededError('Size Limit Exceeded'))).toBe('SOURCE_SIZE_LIMIT');
    expect(codeOf(new TimeLimitExceededError('Time Limit Exceeded'))).toBe('SOURCE_TIMEOUT');
    expect(codeOf(new Error('SearchRequest: Operation timed out'))).toBe('SOURCE_TIMEOUT');
  });

  it('treats every way ldapts reports a dropped connection as SOURCE_UNREACHABLE', () => {
    for (const message of [
      'Connection closed before message response was received. Message type: SearchRequest (0x63)',
      'Socket error. Message type: SearchRequest (0x63)\nread ECONNRESET',
      'Socket connection not established',
    ]) expect(codeOf(new Error(message))).toBe('SOURCE_UNREACHABLE');
    expect(codeOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('SOURCE_UNREACHABLE');
  });

  it('names TLS failures and keeps anything else generic', () => {
    expect(codeOf(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }))).toBe('SOURCE_TLS');
    expect(codeOf(new Error('something odd'))).toBe('SOURCE_READ_FAILED');
  });
});

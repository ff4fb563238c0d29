import { describe, expect, it } from 'vitest';
import { ConfigError, TargetHttpError, TargetNetworkError } from '../../../src/errors/index.js';
import { refusedCredential } from '../../../src/targets/http/refused-credential.js';

const req = { method: 'GET', path: '/v3/users?limit=1' };

describe('refusedCredential', () => {
  it('turns a 401 into a config error naming the key to fix', () => {
    const err = refusedCredential(new TargetHttpError(401, 'invalid api key', req), 'target.token', 'the API key');

    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.keyPath).toBe('target.token');
    expect(err?.message).toBe(
      'target.token: the target refused the API key (GET /v3/users?limit=1 -> 401: invalid api key); fix target.token',
    );
  });

  it('leaves other failures as they are', () => {
    expect(refusedCredential(new TargetHttpError(503, 'down', req), 'target.token', 'x')).toBeUndefined();
    expect(refusedCredential(new TargetNetworkError('reset', req), 'target.token', 'x')).toBeUndefined();
  });
});

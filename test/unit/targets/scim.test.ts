import { describe, expect, it } from 'vitest';
import { scimCapabilities, scimTargetSchema } from '../../../src/targets/scim/index.js';
import { PROFILES, profileOf } from '../../../src/targets/scim/profiles.js';
import { scimRoot } from '../../../src/targets/scim/schema.js';
import type { ScimDiscovery } from '../../../src/targets/scim/discovery.js';

const discovery = (patch: boolean): ScimDiscovery => ({
  patch,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 100 },
  etag: false,
  resourceTypes: ['User', 'Group'],
  requests: 3,
});

describe('scim target config', () => {
  it('takes the base URL with or without /scim/v2', () => {
    expect(scimRoot('https://app.example.com')).toBe('https://app.example.com/scim/v2/');
    expect(scimRoot('https://app.example.com/api/')).toBe('https://app.example.com/api/scim/v2/');
    expect(scimRoot('https://app.example.com/scim/v2')).toBe('https://app.example.com/scim/v2/');
    expect(scimRoot('https://app.example.com/SCIM/v2/')).toBe('https://app.example.com/SCIM/v2/');
  });

  it('needs a token, refuses plain http off loopback, and batches members by default', () => {
    expect(scimTargetSchema.safeParse({ kind: 'scim', baseUrl: 'https://a.example.com' }).success).toBe(false);
    expect(scimTargetSchema.safeParse({ kind: 'scim', baseUrl: 'http://a.example.com', token: 't' }).success).toBe(
      false,
    );
    const c = scimTargetSchema.parse({ kind: 'scim', baseUrl: 'https://a.example.com', token: 't' });
    expect(c).toMatchObject({
      userName: 'email',
      profile: 'rfc7644',
      memberships: 'batched',
      maxMembersPerPatch: 100,
      bulk: 'auto',
    });
    expect(c.rateLimit).toBeUndefined();
    expect(scimCapabilities(c)).toMatchObject({
      membership: 'whole-container',
      userStatus: true,
      emailChange: 'in-place',
    });
    expect(scimCapabilities({ ...c, memberships: 'per-member' }).membership).toBe('per-call');
  });
});

describe('scim server profiles', () => {
  it('removes members by filter path (RFC 7644) or by value list, in one PATCH', () => {
    expect(PROFILES.rfc7644.members(['u1'], ['u2', 'u3'])).toEqual([
      { op: 'add', path: 'members', value: [{ value: 'u1' }] },
      { op: 'remove', path: 'members[value eq "u2"]' },
      { op: 'remove', path: 'members[value eq "u3"]' },
    ]);
    expect(PROFILES['value-list'].members([], ['u2', 'u3'])).toEqual([
      { op: 'remove', path: 'members', value: [{ value: 'u2' }, { value: 'u3' }] },
    ]);
  });

  it('replaces by path, or without one (a list removed first); active as a boolean or a string; PUT where the server has no PATCH', () => {
    expect(PROFILES.rfc7644.replace({ active: false })).toEqual([{ op: 'replace', path: 'active', value: false }]);
    expect(PROFILES['replace-without-path'].replace({ userName: 'b', emails: [{ value: 'b' }] })).toEqual([
      { op: 'remove', path: 'emails' },
      { op: 'replace', value: { userName: 'b', emails: [{ value: 'b' }] } },
    ]);
    expect(PROFILES['string-active'].active(false)).toBe('false');
    expect(profileOf('rfc7644', discovery(false)).put).toBe(true);
    expect(profileOf('rfc7644', discovery(true)).put).toBe(false);
  });
});

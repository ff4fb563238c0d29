import { describe, expect, it } from 'vitest';
import { pathKey } from '../../../../src/config/key-path.js';
import { whatToFix } from '../../../../src/config/origins.js';
import { pool, relativeUrl } from '../../../../src/sources/entra/batch.js';
import { aadstsSummary, permissionFor, tlsReason } from '../../../../src/sources/entra/errors.js';
import { refusedKey } from '../../../../src/sources/entra/graph-http.js';
import { checkEntraScope } from '../../../../src/sources/entra/index.js';
import { entraSourceSchema, graphOrigin } from '../../../../src/sources/entra/schema.js';
import { buildSnapshot, nestingOf, type State } from '../../../../src/sources/entra/state.js';

const base = { kind: 'entra', tenantId: 't', clientId: 'c', clientSecret: 's' };

describe('checkEntraScope', () => {
  it('flags names in groups.ids by key, and accepts object ids', () => {
    const problems = checkEntraScope({
      groups: { ids: ['0b1f0c3e-5c3a-4d2e-9a55-2f1d8c6b7e41', 'BI Analysts', 'finance'] },
    });
    expect(problems.map((p) => p.keyPath)).toEqual(['groups.ids[1]', 'groups.ids[2]']);
    expect(problems[0]!.message).toMatch(
      /"BI Analysts" looks like a group name.*groups\.displayNamePrefix or groups\.filter/,
    );
  });

  it('flags two scope kinds at once', () => {
    expect(checkEntraScope({ groups: { ids: [], displayNamePrefix: 'bi-' } })[0]!.keyPath).toBe('groups');
    expect(checkEntraScope({ groups: { displayNamePrefix: 'bi-' } })).toEqual([]);
  });
});

describe('groups.ids', () => {
  it("load in Graph's spelling: a GUID lower case and trimmed, anything else as written", () => {
    const ids = ['6F1EABCD-0B1F-4C3A-9A55-2F1D8C6B7E41', ' 0b1f0c3e-5c3a-4d2e-9a55-2f1d8c6b7e41 ', 'BI Analysts'];
    const c = entraSourceSchema.parse({ ...base, groups: { ids } });
    expect(c.groups.ids).toEqual([
      '6f1eabcd-0b1f-4c3a-9a55-2f1d8c6b7e41',
      '0b1f0c3e-5c3a-4d2e-9a55-2f1d8c6b7e41',
      'BI Analysts',
    ]);
    // The name is still named as written, by its key.
    expect(checkEntraScope(c).map((p) => p.message)).toEqual([expect.stringMatching(/^"BI Analysts" looks like/)]);
  });
});

describe('graphBaseUrl', () => {
  it.each([
    ['https://graph.microsoft.com/v1.0', 'https://graph.microsoft.com'],
    ['https://graph.microsoft.com/v1.0/', 'https://graph.microsoft.com'],
    ['https://graph.microsoft.us/beta', 'https://graph.microsoft.us'],
    ['https://graph.microsoft.com/', 'https://graph.microsoft.com'],
    ['https://graph.microsoft.com', 'https://graph.microsoft.com'],
  ])('%s loads as %s', (given, loaded) => {
    expect(graphOrigin(given)).toBe(loaded);
    expect(entraSourceSchema.parse({ ...base, graphBaseUrl: given }).graphBaseUrl).toBe(loaded);
  });

  it('defaults: Graph global, 4 requests in flight', () => {
    const c = entraSourceSchema.parse(base);
    expect(c.graphBaseUrl).toBe('https://graph.microsoft.com');
    expect(c.concurrency).toBe(4);
    expect(() => entraSourceSchema.parse({ ...base, concurrency: 0 })).toThrow();
  });
});

describe('error wording', () => {
  const text =
    "AADSTS700016: Application with identifier 'abc' was not found in the directory 'Contoso'. This can happen if the application has not been installed. Trace ID: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 Correlation ID: 11111111-2222-3333-4444-555555555555 Timestamp: 2026-12-01 10:00:00Z";

  it('keeps the AADSTS code, every sentence and both ids whole, without the timestamp', () => {
    expect(aadstsSummary(`ClientSecretCredential authentication failed: ${text}\nTo troubleshoot, visit aka.ms`)).toBe(
      "AADSTS700016: Application with identifier 'abc' was not found in the directory 'Contoso'. This can happen if the application has not been installed. (trace id 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0, correlation id 11111111-2222-3333-4444-555555555555)",
    );
    expect(aadstsSummary('no code here')).toBeUndefined();
  });

  it('finds a certificate failure anywhere in the cause chain', () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
    });
    expect(tlsReason(err)).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(tlsReason(new Error('ECONNREFUSED'))).toBeUndefined();
  });

  it('names the permission by path', () => {
    expect(permissionFor('/users?$select=id')).toBe('User.Read.All');
    expect(permissionFor('/groups/x/transitiveMembers')).toBe('GroupMember.Read.All');
  });
});

describe('batch helpers', () => {
  it('nextLinks become relative to the version', () => {
    expect(relativeUrl('https://graph.microsoft.com/v1.0/groups/x/transitiveMembers?$skiptoken=abc')).toBe(
      '/groups/x/transitiveMembers?$skiptoken=abc',
    );
    expect(relativeUrl('/groups/x')).toBe('/groups/x');
  });

  it('pool keeps at most `limit` running and stops starting work after a failure', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await pool(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 2));
        running -= 1;
      },
    );
    expect(most).toBe(3);
    expect(started).toHaveLength(20);
    const seen: number[] = [];
    await expect(
      pool([1, 2, 3, 4, 5], 1, async (i) => {
        seen.push(i);
        if (i === 2) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
  });
});

describe('refusedKey', () => {
  const refused = (text: string) => new Error(`ClientSecretCredential authentication failed: ${text}`);

  it('names the key behind the identity platform code', () => {
    expect(refusedKey(refused('AADSTS7000215: Invalid client secret provided.'), base)).toBe('clientSecret');
    expect(refusedKey(refused('AADSTS7000222: The provided client secret keys are expired.'), base)).toBe(
      'clientSecret',
    );
    expect(refusedKey(refused("AADSTS700016: Application with identifier 'c' was not found."), base)).toBe('clientId');
    expect(refusedKey(refused("AADSTS90002: Tenant 't' not found."), base)).toBe('tenantId');
    expect(refusedKey(refused('AADSTS700027: Client assertion failed signature validation.'), {})).toBe(
      'certificatePath',
    );
  });
});

describe('whatToFix', () => {
  const p = ['profiles', 0, 'source', 'clientSecret'];
  const shown = 'profiles.hr.source.clientSecret';

  it('names the key, or the variable or file its value came from, never the value', () => {
    expect(whatToFix(new Map(), p, shown)).toBe(shown);
    expect(whatToFix(new Map([[pathKey(p), { kind: 'env', names: ['ENTRA_SECRET'] }]]), p, shown)).toBe(
      'the environment variable $ENTRA_SECRET (read by profiles.hr.source.clientSecret)',
    );
    expect(
      whatToFix(
        new Map([[pathKey(p), { kind: 'file', fileKey: [...p.slice(0, 3), 'clientSecretFile'], file: 's.txt' }]]),
        p,
        shown,
      ),
    ).toBe('the file s.txt (profiles.hr.source.clientSecretFile)');
  });
});

describe('the snapshot of a nesting read', () => {
  const g = (id: string, members: string[], nested: string[] = []) => ({ id, displayName: `n-${id}`, members, nested });
  const user = (id: string) => ({ id, mail: `${id}@x.test`, displayName: id });
  const state: State = {
    scope: '{}',
    users: Object.fromEntries(['u0', 'u1', 'u2', 'u3', 'u4'].map((id) => [id, user(id)])),
    // top > a; top > x (outside) > c; c > y (outside) > z (outside) > y: a cycle below the scope.
    groups: { top: g('top', ['u0'], ['a', 'x']), a: g('a', ['u1']), c: g('c', ['u2'], ['y']) },
    below: { x: g('x', ['u3'], ['c']), y: g('y', [], ['z']), z: g('z', ['u4'], ['y']) },
    missing: [],
    nesting: true,
  };
  const c = entraSourceSchema.parse(base);

  it('gives groups their in-scope parents through groups outside the scope, people their own groups', () => {
    const s = buildSnapshot(state, c);
    expect(Object.fromEntries(s.groups.map((x) => [x.sourceId, x.parentIds]))).toEqual({
      a: ['top'],
      c: ['top'],
      top: [],
    });
    expect(Object.fromEntries(s.people.map((p) => [p.sourceId, p.groupIds]))).toEqual({
      u0: ['top'],
      u1: ['a'],
      u2: ['c'],
      u3: ['top'],
      u4: ['c'],
    });
  });

  it('reports a cycle through groups outside the scope once, naming them', () => {
    expect(nestingOf(state).issues).toEqual([
      {
        where: 'groups',
        reason:
          'groups nest in a cycle through groups outside the scope (n-y (y, outside the scope), n-z (z, outside the scope)): not followed round; their members count in each in-scope group above them',
      },
    ]);
  });

  it('a transitive state keeps its groups flat', () => {
    const flat: State = { ...state, nesting: false, below: {} };
    expect(buildSnapshot(flat, c).groups.every((x) => x.parentIds.length === 0)).toBe(true);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createScimEmulator, DEFAULT_TOKEN, type ScimEmulator } from '../../../src/emulators/scim/index.js';

/** The strict SCIM emulator against RFC 7644: what it refuses, with which status and scimType. */
let e: ScimEmulator | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function call(method: string, path: string, body?: unknown, token = DEFAULT_TOKEN) {
  const res = await fetch(`${e!.url}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { scimType?: string },
  };
}

const newUser = (userName: string) =>
  call('POST', '/Users', { schemas: [USER], userName, emails: [{ value: userName, primary: true }] });

describe('SCIM emulator', () => {
  it('refuses a wrong token, unknown attributes, duplicates, bad values and filters as RFC 7644 says', async () => {
    e = await createScimEmulator();
    expect((await call('GET', '/Users', undefined, 'nope')).status).toBe(401);
    const a = await newUser('a@x.com');
    expect(a.status).toBe(201);
    expect(await newUser('A@X.com')).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
    expect(await call('POST', '/Users', { schemas: [USER], userName: 'b@x.com', nickname: 'b' })).toMatchObject({
      status: 400,
      body: { scimType: 'invalidSyntax' },
    });
    expect(await call('POST', '/Users', { schemas: [USER], userName: 'b@x.com', active: 'true' })).toMatchObject({
      status: 400,
      body: { scimType: 'invalidValue' },
    });
    expect(await call('GET', '/Users?filter=userName%20co%20%22a%22')).toMatchObject({
      status: 400,
      body: { scimType: 'invalidFilter' },
    });
    const found = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "a@x.com"')}`);
    expect(found.body).toMatchObject({ totalResults: 1 });
    const id = a.body.id as string;
    expect(
      await call('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'id', value: 'x' }],
      }),
    ).toMatchObject({
      status: 400,
      body: { scimType: 'mutability' },
    });
    expect(e.requestLog.filter((r) => r.applied)).toHaveLength(1);
  });

  it('pages with startIndex and count, capped at filter.maxResults', async () => {
    e = await createScimEmulator({ maxResults: 3 });
    for (let i = 0; i < 7; i++) await newUser(`u${i}@x.com`);
    const page = await call('GET', '/Users?startIndex=4&count=10');
    expect(page.body).toMatchObject({ totalResults: 7, startIndex: 4, itemsPerPage: 3 });
    expect((await call('GET', '/ServiceProviderConfig')).body).toMatchObject({
      filter: { supported: true, maxResults: 3 },
      bulk: { supported: false },
    });
  });

  it('removes members by filter path or by value list as configured; 501 on PATCH where it has none; /Bulk within maxOperations', async () => {
    e = await createScimEmulator({ memberRemoval: 'value-list', bulk: { maxOperations: 2, maxPayloadSize: 100_000 } });
    const u = (await newUser('m@x.com')).body.id as string;
    const g = (await call('POST', '/Groups', { schemas: [GROUP], displayName: 'g', members: [{ value: u }] })).body
      .id as string;
    expect(
      await call('PATCH', `/Groups/${g}`, {
        schemas: [PATCH],
        Operations: [{ op: 'remove', path: `members[value eq "${u}"]` }],
      }),
    ).toMatchObject({
      status: 400,
      body: { scimType: 'invalidPath' },
    });
    expect(
      (
        await call('PATCH', `/Groups/${g}`, {
          schemas: [PATCH],
          Operations: [{ op: 'remove', path: 'members', value: [{ value: u }] }],
        })
      ).status,
    ).toBe(200);
    expect(e.state.groups.get(g)!.members.size).toBe(0);
    const op = {
      method: 'PATCH',
      path: `/Groups/${g}`,
      data: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: u }] }] },
    };
    const bulk = (ops: unknown[]) =>
      call('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops });
    expect((await bulk([op, op, op])).status).toBe(413);
    expect(await bulk([op])).toMatchObject({ status: 200, body: { Operations: [{ status: '200' }] } });
    e.setOptions({ patch: false });
    expect(
      (
        await call('PATCH', `/Groups/${g}`, {
          schemas: [PATCH],
          Operations: [{ op: 'replace', path: 'displayName', value: 'h' }],
        })
      ).status,
    ).toBe(501);
  });
});

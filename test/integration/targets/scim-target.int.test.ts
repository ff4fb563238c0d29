import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createScimEmulator, DEFAULT_TOKEN, type ScimEmulator } from '../../../src/emulators/scim/index.js';
import type { Op, OpOf } from '../../../src/model/index.js';
import { scimTargetSchema } from '../../../src/targets/scim/index.js';
import { ScimTarget } from '../../../src/targets/scim/index.js';
import { UnresolvedRefError } from '../../../src/targets/op-errors.js';
import type { IdResolver } from '../../../src/targets/target.js';

/**
 * The scim target's writes, op by op, against its strict emulator (member batching, /Bulk, 409
 * linking, deprovisioning by active) and against a server answering canned SCIM errors (every
 * scimType message, a 2xx naming another resource).
 */
const ids: IdResolver = { teamId: async () => undefined, userId: async () => undefined };
const base = { reason: 'test', dependsOn: [] as string[] };

let emulator: ScimEmulator | undefined;
let canned: Server | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  await new Promise<void>((r) => (canned ? canned.close(() => r()) : r()));
  canned = undefined;
});

function target(url: string, extra: Record<string, unknown> = {}): ScimTarget {
  return new ScimTarget(
    scimTargetSchema.parse({ kind: 'scim', baseUrl: url, token: DEFAULT_TOKEN, timeoutMs: 5000, ...extra }),
    { readAttempts: 1 },
  );
}

/** n users and one empty group straight into the emulator's store. */
function seed(e: ScimEmulator, n: number): { userIds: string[]; groupId: string } {
  const st = e.state;
  const userIds = Array.from({ length: n }, (_, i) => {
    const id = st.newId('u');
    st.users.set(id, {
      id,
      userName: `p${i}@example.com`,
      emails: [{ value: `p${i}@example.com`, primary: true }],
      active: true,
      roles: [],
      entitlements: [],
      version: 1,
    });
    return id;
  });
  const groupId = st.newId('g');
  st.groups.set(groupId, { id: groupId, displayName: 'team-big', members: new Set(), version: 1 });
  return { userIds, groupId };
}

const setMembers = (groupId: string, userIds: string[]): Op => ({
  ...base,
  kind: 'setMembers',
  key: 'team-members.big',
  team: { id: groupId, name: 'team-big' },
  members: userIds.map((id, i) => ({ id, email: `p${i}@example.com` })),
  added: userIds.length,
  removed: 0,
});

const calls = (e: ScimEmulator, method: string, path: RegExp) =>
  e.requestLog.filter((r) => r.method === method && path.test(r.path)).length;

describe('scim target: member batching and /Bulk', () => {
  it('a team of 500 joins in 5 PATCH calls and leaves in 5; one PATCH per member without batching', async () => {
    emulator = await createScimEmulator();
    const { userIds, groupId } = seed(emulator, 500);
    const t = target(emulator.url);
    await t.apply(setMembers(groupId, userIds), ids);
    expect(emulator.state.groups.get(groupId)!.members.size).toBe(500);
    expect(calls(emulator, 'PATCH', /\/Groups\//)).toBe(5);
    await t.apply(setMembers(groupId, []), ids);
    expect(emulator.state.groups.get(groupId)!.members.size).toBe(0);
    expect(calls(emulator, 'PATCH', /\/Groups\//)).toBe(10);

    const perMember = target(emulator.url, { memberships: 'per-member' });
    expect(perMember.capabilities.membership).toBe('per-call');
    for (const [i, id] of userIds.entries())
      await perMember.apply(
        {
          ...base,
          kind: 'addMember',
          key: `add.${i}`,
          user: { id, email: `p${i}@example.com` },
          team: { id: groupId, name: 'team-big' },
        },
        ids,
      );
    expect(calls(emulator, 'PATCH', /\/Groups\//)).toBe(510);
    expect(emulator.state.groups.get(groupId)!.members.size).toBe(500);
  });

  it('uses /Bulk where /ServiceProviderConfig advertises it, within maxOperations, and not where it does not', async () => {
    emulator = await createScimEmulator({ bulk: { maxOperations: 3, maxPayloadSize: 1_000_000 } });
    const { userIds, groupId } = seed(emulator, 500);
    const t = target(emulator.url);
    expect(await t.check()).toContain('bulk: yes (maxOperations 3');
    await t.apply(setMembers(groupId, userIds), ids);
    expect(emulator.state.groups.get(groupId)!.members.size).toBe(500);
    expect(calls(emulator, 'POST', /\/Bulk$/)).toBe(2);
    expect(calls(emulator, 'PATCH', /\/Groups\//)).toBe(0);
    // bulk: off keeps to PATCH even where the server has /Bulk.
    await target(emulator.url, { bulk: 'off' }).apply(setMembers(groupId, []), ids);
    expect(calls(emulator, 'PATCH', /\/Groups\//)).toBe(5);
    await emulator.close();

    emulator = await createScimEmulator();
    const plain = seed(emulator, 500);
    const t2 = target(emulator.url);
    expect(await t2.check()).toContain('bulk: no');
    await t2.apply(setMembers(plain.groupId, plain.userIds), ids);
    expect(calls(emulator, 'POST', /\/Bulk$/)).toBe(0);
    expect(calls(emulator, 'PATCH', /\/Groups\//)).toBe(5);
  });
});

describe('scim target: user creates through /Bulk', () => {
  const createOp = (i: number): Extract<Op, { kind: 'createUser' }> => ({
    ...base,
    kind: 'createUser',
    key: `c${i}`,
    user: { email: `new${i}@example.com`, sourceId: `n${i}` },
    displayName: `New ${i}`,
  });

  it('creates applied together share POST /Bulk calls within maxOperations; a 409 inside one is linked', async () => {
    emulator = await createScimEmulator({ bulk: { maxOperations: 50, maxPayloadSize: 1_000_000 } });
    const t = target(emulator.url);
    const { userIds } = seed(emulator, 1);
    const taken: Op = { ...createOp(0), user: { email: 'p0@example.com', sourceId: 's0' } };
    const out = await Promise.all(
      [taken, ...Array.from({ length: 120 }, (_, i) => createOp(i + 1))].map((op) => t.apply(op, ids)),
    );
    expect(out[0]).toMatchObject({ status: 'already-done', createdId: userIds[0] });
    expect(out.slice(1).every((o) => o.status === 'applied' && o.createdId)).toBe(true);
    expect(new Set(out.map((o) => o.createdId)).size).toBe(121);
    expect(emulator.state.users.size).toBe(121);
    expect(calls(emulator, 'POST', /\/Users$/)).toBe(0);
    const bulks = calls(emulator, 'POST', /\/Bulk$/);
    expect(bulks).toBeGreaterThanOrEqual(3);
    expect(bulks).toBeLessThanOrEqual(10);
  });

  it('creates one POST /Users each where the server has no /Bulk', async () => {
    emulator = await createScimEmulator();
    const t = target(emulator.url);
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.apply(createOp(i), ids)));
    expect(calls(emulator, 'POST', /\/Users$/)).toBe(20);
    expect(calls(emulator, 'POST', /\/Bulk$/)).toBe(0);
  });
});

describe('scim target: the discovery a run carries', () => {
  const createOp = (i: number): OpOf<'createUser'> => ({
    ...base,
    kind: 'createUser',
    key: `c${i}`,
    user: { email: `new${i}@example.com`, sourceId: `n${i}` },
    displayName: `New ${i}`,
  });
  const discoveryGets = (e: ScimEmulator) => calls(e, 'GET', /\/(ServiceProviderConfig|ResourceTypes|Schemas)$/);

  it("applies with the run's stored discovery and reads none; a run stored without it reads it once", async () => {
    emulator = await createScimEmulator({ bulk: { maxOperations: 10, maxPayloadSize: 1_048_576 } });
    const planner = target(emulator.url);
    const { learned } = await planner.read();
    const afterRead = discoveryGets(emulator);
    const worker = target(emulator.url);
    const older = target(emulator.url);

    await Promise.all(Array.from({ length: 4 }, (_, i) => worker.apply(createOp(i), ids, learned)));
    const withLearned = discoveryGets(emulator) - afterRead;
    await Promise.all(Array.from({ length: 4 }, (_, i) => older.apply(createOp(10 + i), ids)));
    await older.apply(createOp(20), ids);

    expect(afterRead).toBe(3);
    expect(learned?.server).toMatchObject({ bulk: { supported: true, maxOperations: 10 }, patch: true });
    expect(JSON.parse(JSON.stringify(learned))).toEqual(learned);
    expect(withLearned).toBe(0);
    expect(discoveryGets(emulator) - afterRead).toBe(3);
    // The stored discovery rules the writes as the read did: the worker's creates went through /Bulk.
    expect(calls(emulator, 'POST', /\/Bulk$/)).toBeGreaterThan(0);
  });
});

describe('scim target: idempotent answers and deprovisioning', () => {
  it('a 409 uniqueness on create looks the user or group up by filter and links it', async () => {
    emulator = await createScimEmulator();
    const { userIds, groupId } = seed(emulator, 1);
    const t = target(emulator.url);
    const user = await t.apply(
      { ...base, kind: 'createUser', key: 'c', user: { email: 'p0@example.com', sourceId: 's0' }, displayName: 'P 0' },
      ids,
    );
    expect(user).toMatchObject({ status: 'already-done', createdId: userIds[0] });
    const group = await t.apply(
      { ...base, kind: 'createTeam', key: 't', team: { name: 'TEAM-BIG' }, teamKey: 'k' },
      ids,
    );
    expect(group).toMatchObject({ status: 'already-done', createdId: groupId });
    expect(emulator.requestLog.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')} ${r.status}`)).toContain(
      'GET /scim/v2/Users 200',
    );
  });

  it('where the server has no filter, the 409 lookup pages through the users instead', async () => {
    emulator = await createScimEmulator({ filter: false, maxResults: 40 });
    const { userIds } = seed(emulator, 100);
    const out = await target(emulator.url).apply(
      { ...base, kind: 'createUser', key: 'c', user: { email: 'p77@example.com', sourceId: 's77' }, displayName: 'P' },
      ids,
    );
    expect(out).toMatchObject({ status: 'already-done', createdId: userIds[77] });
    expect(emulator.requestLog.filter((r) => r.path.includes('filter='))).toEqual([]);
  });

  it('creates with userName, externalId, name, emails and active; deprovisions by active false; a 404 on a member removal is done', async () => {
    emulator = await createScimEmulator();
    const t = target(emulator.url);
    const out = await t.apply(
      {
        ...base,
        kind: 'createUser',
        key: 'c',
        user: { email: 'ann@example.com', sourceId: 'dir-1' },
        displayName: 'Ann Lee',
        givenName: 'Ann',
        familyName: 'Lee',
      },
      ids,
    );
    const id = out.createdId!;
    expect(emulator.dump().users[0]).toMatchObject({
      id,
      userName: 'ann@example.com',
      externalId: 'dir-1',
      name: { givenName: 'Ann', familyName: 'Lee' },
      emails: [{ value: 'ann@example.com', primary: true }],
      active: true,
    });
    await t.apply({ ...base, kind: 'disableUser', key: 'd', user: { id, email: 'ann@example.com' } }, ids);
    expect(emulator.state.users.get(id)!.active).toBe(false);
    const perMember = target(emulator.url, { memberships: 'per-member' });
    const gone = await perMember.apply(
      {
        ...base,
        kind: 'removeMember',
        key: 'r',
        user: { id, email: 'ann@example.com' },
        team: { id: 'g-missing', name: 'x' },
      },
      ids,
    );
    expect(gone.status).toBe('already-done');
  });

  it('userName from an attribute: the account name the op carries; an op without one is refused, never sent', async () => {
    emulator = await createScimEmulator();
    const t = target(emulator.url, { userName: { attribute: 'login' } });
    const create = (user: OpOf<'createUser'>['user']) =>
      t.apply({ ...base, kind: 'createUser', key: 'c', user, displayName: 'Ann Lee' }, ids);

    const out = await create({ email: 'ann@example.com', sourceId: 'dir-1', accountName: 'alee' });
    const created = emulator.dump().users[0]?.userName;
    const refused = await create({ email: 'bob@example.com', sourceId: 'dir-2' }).catch((e: unknown) => e);
    await t.apply(
      {
        ...base,
        kind: 'setUser',
        key: 's',
        user: { id: out.createdId!, email: 'ann@example.com', accountName: 'ann.lee' },
        added: 0,
        removed: 0,
      },
      ids,
    );

    expect(created).toBe('alee');
    expect(refused).toBeInstanceOf(UnresolvedRefError);
    expect(String(refused)).toContain('no value of "login"');
    expect(emulator.dump().users).toEqual([
      expect.objectContaining({
        id: out.createdId,
        userName: 'ann.lee',
        emails: [expect.objectContaining({ value: 'ann@example.com' })],
      }),
    ]);
    expect(calls(emulator, 'POST', /Users/)).toBe(1);
  });
});

describe('scim target: server profiles against the strict emulator', () => {
  it('without PATCH (patch.supported false) a group is one PUT of its members and a user change a GET + PUT', async () => {
    emulator = await createScimEmulator({ patch: false });
    const { userIds, groupId } = seed(emulator, 500);
    const t = target(emulator.url);
    await t.apply(setMembers(groupId, userIds), ids);
    expect(emulator.state.groups.get(groupId)!.members.size).toBe(500);
    expect(calls(emulator, 'PUT', /\/Groups\//)).toBe(1);
    await t.apply({ ...base, kind: 'disableUser', key: 'd', user: { id: userIds[0]!, email: 'p0@example.com' } }, ids);
    expect(emulator.state.users.get(userIds[0]!)!.active).toBe(false);
    expect(calls(emulator, 'PATCH', /./)).toBe(0);
  });

  it('members removed by value list where the server refuses a filter path (value-list profile)', async () => {
    emulator = await createScimEmulator({ memberRemoval: 'value-list' });
    const { userIds, groupId } = seed(emulator, 3);
    await target(emulator.url).apply(setMembers(groupId, userIds), ids);
    await expect(target(emulator.url).apply(setMembers(groupId, []), ids)).rejects.toThrow(
      'group "team-big": members: the server does not know the attribute path of members [invalidPath',
    );
    await target(emulator.url, { profile: 'value-list' }).apply(setMembers(groupId, []), ids);
    expect(emulator.state.groups.get(groupId)!.members.size).toBe(0);
  });

  it('a server that takes active as a boolean refuses the string-active profile, naming the person and the field', async () => {
    emulator = await createScimEmulator();
    const { userIds } = seed(emulator, 1);
    await expect(
      target(emulator.url, { profile: 'string-active' }).apply(
        { ...base, kind: 'disableUser', key: 'd', user: { id: userIds[0]!, email: 'p0@example.com' } },
        ids,
      ),
    ).rejects.toThrow('p0@example.com: active: the server refuses the value given for active [invalidValue');
  });
});

/** A SCIM server answering each call with `answer` (ServiceProviderConfig aside). */
async function cannedServer(
  answer: (method: string, path: string, body: unknown) => { status: number; body?: unknown },
): Promise<string> {
  canned = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const path = req.url!.replace(/^\/scim\/v2/, '');
      const a = path.startsWith('/ServiceProviderConfig')
        ? {
            status: 200,
            body: {
              patch: { supported: true },
              bulk: { supported: false },
              filter: { supported: true, maxResults: 100 },
            },
          }
        : path.startsWith('/ResourceTypes') || path.startsWith('/Schemas')
          ? { status: 404, body: {} }
          : answer(req.method!, path, raw ? JSON.parse(raw) : undefined);
      res.writeHead(a.status, { 'content-type': 'application/scim+json' });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  });
  canned.listen(0, '127.0.0.1');
  await new Promise((r) => canned!.once('listening', r));
  return `http://127.0.0.1:${(canned.address() as AddressInfo).port}`;
}

const scimError = (status: number, scimType: string, detail: string) => ({
  status,
  body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), scimType, detail },
});

const create: Op = {
  ...base,
  kind: 'createUser',
  key: 'c',
  user: { email: 'bob@example.com', sourceId: 'b' },
  displayName: 'Bob',
};
const rename: Op = {
  ...base,
  kind: 'setUser',
  key: 'n',
  user: { id: 'u1', email: 'bob@example.com' },
  givenName: 'Bob',
  familyName: 'Ray',
  added: 0,
  removed: 0,
};

describe('scim target: scimType errors name the person and the field', () => {
  it.each([
    [
      'uniqueness',
      create,
      (m: string) =>
        m === 'POST'
          ? scimError(409, 'uniqueness', 'userName taken')
          : { status: 200, body: { totalResults: 0, Resources: [] } },
      'bob@example.com: userName: userName is already taken by another resource [uniqueness: userName taken]',
    ],
    [
      'invalidFilter',
      create,
      (m: string) =>
        m === 'POST' ? scimError(409, 'uniqueness', 'exists') : scimError(400, 'invalidFilter', 'filter not supported'),
      'bob@example.com: filter userName eq "bob@example.com": the server refuses the filter on filter userName eq "bob@example.com" [invalidFilter: filter not supported]',
    ],
    [
      'tooMany',
      create,
      (m: string) =>
        m === 'POST' ? scimError(409, 'uniqueness', 'exists') : scimError(400, 'tooMany', 'too many results'),
      'bob@example.com: filter userName eq "bob@example.com": the filter on filter userName eq "bob@example.com" matches more resources than the server will return [tooMany: too many results]',
    ],
    [
      'invalidValue',
      create,
      () => scimError(400, 'invalidValue', 'emails: not a valid address'),
      'bob@example.com: emails: the server refuses the value given for emails [invalidValue: emails: not a valid address]',
    ],
    [
      'mutability',
      rename,
      () => scimError(400, 'mutability', 'attribute is readOnly'),
      'bob@example.com: name: name is read-only or immutable on this server and cannot be written [mutability: attribute is readOnly]',
    ],
    [
      'invalidPath',
      rename,
      () => scimError(400, 'invalidPath', 'no such attribute'),
      'bob@example.com: name: the server does not know the attribute path of name [invalidPath: no such attribute]',
    ],
  ])('%s', async (_type, op, answer, message) => {
    const t = target(await cannedServer(answer));
    await expect(t.apply(op, ids)).rejects.toThrow(message);
  });

  it('a 2xx answer with another resource than asked is a failure, not a success', async () => {
    const other = { id: 'u-other', userName: 'someone.else@example.com' };
    const t = target(await cannedServer(() => ({ status: 201, body: other })));
    await expect(t.apply(create, ids)).rejects.toThrow(
      /answered 201 with another user \(userName "someone.else@example.com"/,
    );
    const t2 = target(
      await (async () => {
        await new Promise<void>((r) => canned!.close(() => r()));
        return cannedServer(() => ({ status: 200, body: other }));
      })(),
    );
    await expect(t2.apply(rename, ids)).rejects.toThrow(/answered 200 with another resource \(id u-other\)/);
  });
});

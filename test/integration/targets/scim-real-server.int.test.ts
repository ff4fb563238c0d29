import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { Runtime } from '../../../src/app/runtime.js';
import type { Snapshot } from '../../../src/model/index.js';
import { byKey, type NormalState } from '../../support/conformance/adapter.js';
import { dayOne, dayTwo } from '../../support/conformance/scenario.js';
import { expectedScimState, scimMapping, scimMinimumWrites } from '../../support/conformance/scim.js';
import { startScimmyServer, type ScimmyServer } from '../../support/scimmy-server.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createTargetHarness, type TargetHarness } from '../../support/target-harness.js';

/**
 * The scim target against a SCIM server this project did not write (SCIMMY and its Express
 * routers, test/support/scimmy-server.ts): whole directories synced exactly, writes counted on the
 * server's own request log.
 */
const redisUrl = inject('redisUrl');

let h: TargetHarness<ScimmyServer> | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(
  o: {
    mapping?: Record<string, unknown>;
    target?: Record<string, unknown>;
    policy?: Record<string, unknown>;
    bulk?: { maxOperations: number; maxPayloadSize: number };
    /** Source attributes the CSV directory has columns for (listed in source.attributes). */
    attributes?: string[];
  } = {},
): Promise<{ h: TargetHarness<ScimmyServer>; rt: Runtime }> {
  const server = await startScimmyServer({ maxResults: 1000, ...(o.bulk ? { bulk: o.bulk } : {}) });
  h = createTargetHarness(redisUrl, 'scimmy', server, {
    target: { kind: 'scim', baseUrl: server.url, token: server.token, timeoutMs: 10_000, ...o.target },
    mapping: { ...scimMapping, ...o.mapping },
    policy: { deprovision: 'delete-user', ...o.policy },
    ...(o.attributes
      ? {
          source: {
            kind: 'csv',
            path: 'dir/people.csv',
            groupsFile: { path: 'dir/groups.csv' },
            maxInvalidRows: 0,
            attributes: o.attributes,
          },
        }
      : {}),
  });
  const rt = await h.runtime();
  rt.startWorkers();
  return { h, rt };
}

async function sync(rt: Runtime) {
  const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
  expect(out.status, out.run.failures.map((f) => `${f.opKey}: ${f.reason}`).join('\n')).toBe('succeeded');
  return out;
}

/** Active users by primary email, groups by name with their active members' emails. */
function serverState(s: ScimmyServer): NormalState {
  const email = new Map(
    [...s.users.values()]
      .filter((u) => u.active !== false)
      .map((u) => [u.id, (u.emails?.find((e) => e.primary) ?? u.emails?.[0])?.value ?? u.userName]),
  );
  return {
    users: byKey(Object.fromEntries([...email.values()].map((e) => [e, []]))),
    containers: byKey(
      Object.fromEntries(
        [...s.groups.values()].map((g) => [
          g.displayName,
          (g.members ?? [])
            .map((m) => email.get(m.value))
            .filter((e) => e !== undefined)
            .sort(),
        ]),
      ),
    ),
  };
}

const writes = (s: ScimmyServer, from: number) => s.requestLog.slice(from).filter((r) => r.method !== 'GET');

describe('scim target against SCIMMY (a real SCIM server)', () => {
  it('syncs 2,000 people from a CSV directory exactly; a day of churn ends exact with the minimum writes; then nothing', async () => {
    const { h, rt } = await harness({ target: { pageSize: 1000 } });
    const s = h.emulator;
    const base: Snapshot = generateDirectory({ people: 2000, groups: 8, memberships: 3000, seed: 23 });
    h.writeDirectory(base);
    const empty = serverState(s);
    let mark = s.requestLog.length;
    await sync(rt);
    const day1 = expectedScimState(base);
    expect(serverState(s)).toEqual(day1);
    const w1 = writes(s, mark);
    expect(w1.filter((r) => r.status >= 300)).toEqual([]);
    expect(w1.length).toBe(scimMinimumWrites(empty, day1, {}));

    const d = dayTwo(base, 24);
    const changedId = [...s.users.values()].find((u) => u.userName === d.emailChange[0])!.id;
    h.writeDirectory(d.next);
    mark = s.requestLog.length;
    await sync(rt);
    const want = expectedScimState(d.next);
    const day2 = { ...want, containers: byKey({ ...want.containers, [d.deleted]: [] }) };
    expect(serverState(s)).toEqual(day2);
    expect(serverState(s).users[d.emailChange[0]]).toBeUndefined();
    // The email change is the same account's userName and email (externalId unchanged), not a new account.
    expect(s.users.get(changedId)).toMatchObject({
      userName: d.emailChange[1],
      emails: [{ value: d.emailChange[1], primary: true }],
      externalId: base.people.find((p) => p.email === d.emailChange[0])!.sourceId,
    });
    const w2 = writes(s, mark);
    expect(w2.filter((r) => r.status >= 300)).toEqual([]);
    expect(w2.length).toBe(scimMinimumWrites(day1, day2, d.change));

    mark = s.requestLog.length;
    await sync(rt);
    expect(writes(s, mark)).toEqual([]);
  }, 180_000);

  it('where SCIMMY advertises /Bulk, creates and multi-batch member writes go through it; two days exact', async () => {
    const { h, rt } = await harness({
      target: { maxMembersPerPatch: 5 },
      bulk: { maxOperations: 20, maxPayloadSize: 1_048_576 },
    });
    const s = h.emulator;
    const base = dayOne(61);
    h.writeDirectory(base);
    await sync(rt);
    expect(serverState(s)).toEqual(expectedScimState(base));
    const d = dayTwo(base, 62);
    h.writeDirectory(d.next);
    await sync(rt);
    const want = expectedScimState(d.next);
    expect(serverState(s)).toEqual({ ...want, containers: byKey({ ...want.containers, [d.deleted]: [] }) });
    const count = (method: string, path: RegExp) =>
      s.requestLog.filter((r) => r.method === method && path.test(r.path)).length;
    expect(count('POST', /\/Users$/)).toBe(0);
    expect(count('POST', /\/Bulk$/)).toBeGreaterThan(0);
    expect(count('POST', /\/Bulk$/)).toBeLessThan(Object.keys(want.users).length / 2);
  });

  it.each(['rfc7644', 'value-list', 'replace-without-path'])(
    'server profile %s: two days (a rename, a deleted group, leavers) end exact',
    async (profile) => {
      const { h, rt } = await harness({ target: { profile, maxMembersPerPatch: 7 } });
      const base = dayOne(31);
      h.writeDirectory(base);
      await sync(rt);
      expect(serverState(h.emulator)).toEqual(expectedScimState(base));
      const d = dayTwo(base, 32);
      h.writeDirectory(d.next);
      await sync(rt);
      const want = expectedScimState(d.next);
      expect(serverState(h.emulator)).toEqual({ ...want, containers: byKey({ ...want.containers, [d.deleted]: [] }) });
    },
  );

  it.each(['roles', 'entitlements'] as const)(
    'maps role rules to the %s attribute; leavers are disabled with active false, returning people enabled',
    async (attribute) => {
      const { h, rt } = await harness({
        target: { roles: { attribute, names: ['member', 'admin'], default: 'member' } },
        mapping: { roles: [{ group: 'group-0', role: 'admin' }], defaultRole: 'member' },
        policy: { deprovision: 'disable-user' },
      });
      const base = dayOne(41);
      h.writeDirectory(base);
      await sync(rt);
      const s = h.emulator;
      const rolesByEmail = () =>
        Object.fromEntries(
          [...s.users.values()].map((u) => [
            u.userName,
            ((u[attribute] as { value: string }[] | undefined) ?? []).map((r) => r.value).join(',') +
              (u.active === false ? ' (disabled)' : ''),
          ]),
        );
      const admins = new Set(base.people.filter((p) => p.groupIds.includes('g0')).map((p) => p.email));
      expect(admins.size).toBeGreaterThan(0);
      const inScope = expectedScimState(base).users;
      expect(rolesByEmail()).toEqual(
        Object.fromEntries(Object.keys(inScope).map((e) => [e, admins.has(e) ? 'admin' : 'member'])),
      );
      // One admin leaves group-0 (now a member), one person leaves (disabled, not deleted).
      const demoted = [...admins][0]!;
      const leaver = base.people.find((p) => !admins.has(p.email) && p.email in inScope)!;
      const next: Snapshot = {
        ...base,
        people: base.people
          .filter((p) => p !== leaver)
          .map((p) =>
            p.email === demoted ? { ...p, groupIds: p.groupIds.filter((g) => g !== 'g0').concat('g1') } : p,
          ),
      };
      h.writeDirectory(next);
      await sync(rt);
      expect(rolesByEmail()[demoted]).toBe('member');
      expect(rolesByEmail()[leaver.email]).toBe('member (disabled)');
      h.writeDirectory(base);
      await sync(rt);
      expect(rolesByEmail()[leaver.email]).toBe('member');
    },
  );

  it('userName from a source attribute: created with it, a changed value is one in-place PATCH, a person without it a warning', async () => {
    const { h, rt } = await harness({ target: { userName: { attribute: 'login' } }, attributes: ['login'] });
    const s = h.emulator;
    const dir = generateDirectory({ people: 20, groups: 3, memberships: 30, seed: 51 });
    const inScope = Object.keys(expectedScimState(dir).users);
    const [renamed, lacking] = [inScope[0]!, inScope[1]!];
    const withLogins = (logins: (email: string) => string | undefined): Snapshot => ({
      ...dir,
      people: dir.people.map((p) => {
        const login = logins(p.email);
        return login === undefined ? p : { ...p, attributes: { login: [login] } };
      }),
    });
    const first = (email: string) => (email === lacking ? undefined : `login-${email.split('@')[0]}`);
    const userNames = () => Object.fromEntries([...s.users.values()].map((u) => [u.emails?.[0]?.value, u.userName]));
    const warning = `${lacking}: no value for "login", which the target's account name comes from: no account made`;

    h.writeDirectory(withLogins(first), ['login']);
    const day1 = await sync(rt);
    const idBefore = [...s.users.values()].find((u) => u.emails?.[0]?.value === renamed)!.id;
    const afterDay1 = userNames();
    h.writeDirectory(
      withLogins((e) => (e === renamed ? 'login-renamed' : first(e))),
      ['login'],
    );
    const from = s.requestLog.length;
    const day2 = await sync(rt);

    expect(afterDay1).toEqual(Object.fromEntries(inScope.filter((e) => e !== lacking).map((e) => [e, first(e)])));
    expect(day1.plan!.warnings).toContain(warning);
    expect(day2.plan!.warnings).toContain(warning);
    expect(writes(s, from).map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /scim/v2/Users/${idBefore}`]);
    expect(userNames()).toEqual({ ...afterDay1, [renamed]: 'login-renamed' });
    expect([...s.users.values()].find((u) => u.userName === 'login-renamed')!.id).toBe(idBefore);
  });
});

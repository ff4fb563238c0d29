import { randomBytes } from 'node:crypto';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { byKey, type NormalState } from '../../support/conformance/adapter.js';
import { dayTwo } from '../../support/conformance/scenario.js';
import { expectedScimState, scimMapping, scimMinimumWrites } from '../../support/conformance/scim.js';
import { startScimmyServer, type ScimmyServer } from '../../support/scimmy-server.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createTargetHarness, type TargetHarness } from '../../support/target-harness.js';
import { SlapdDirectory } from './day2-directory.js';
import { admin, ldap } from './helpers.js';

/** OpenLDAP -> the scim target -> SCIMMY (a SCIM server this project did not write). */
let client: Client;
let dir: SlapdDirectory;
let h: TargetHarness<ScimmyServer>;

beforeAll(async () => {
  client = await admin();
  dir = await SlapdDirectory.create(client, ldap.suffix, `scim-${randomBytes(3).toString('hex')}`);
  const server = await startScimmyServer({ maxResults: 1000 });
  h = createTargetHarness(inject('redisUrl'), 'scim-ldap', server, {
    target: { kind: 'scim', baseUrl: server.url, token: server.token, timeoutMs: 10_000, pageSize: 1000 },
    mapping: scimMapping,
    policy: { deprovision: 'delete-user' },
    source: {
      kind: 'ldap',
      url: ldap.url,
      bindDn: ldap.bindDn,
      bindPassword: ldap.password,
      people: { baseDn: dir.peopleDn },
      groups: { baseDn: dir.groupsDn },
      disabled: { attribute: 'employeeType', values: ['disabled'] },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await dir?.remove();
  await client?.unbind();
});

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

const writes = (s: ScimmyServer, from: number) => s.requestLog.slice(from).filter((r) => r.method !== 'GET').length;

describe('SCIM from OpenLDAP into SCIMMY', () => {
  it('2,000 people exact; a day of churn exact with the minimum writes on the server log; then nothing', async () => {
    const s = h.emulator;
    const day1 = generateDirectory({ people: 2000, groups: 8, memberships: 3000, seed: 51 });
    await dir.write(day1);
    const rt = await h.runtime();
    rt.startWorkers();
    const sync = async () => {
      const out = await runSync(rt, { mode: 'full', trigger: 'schedule' });
      expect(out.status, out.run.failures.map((f) => `${f.opKey}: ${f.reason}`).join('\n')).toBe('succeeded');
      return out;
    };
    let mark = s.requestLog.length;
    await sync();
    const want1 = expectedScimState(day1);
    expect(serverState(s)).toEqual(want1);
    expect(writes(s, mark)).toBe(scimMinimumWrites({ users: {}, containers: {} }, want1, {}));

    const d = dayTwo(day1, 52);
    await dir.write(d.next);
    mark = s.requestLog.length;
    await sync();
    const want = expectedScimState(d.next);
    const want2 = { ...want, containers: byKey({ ...want.containers, [d.deleted]: [] }) };
    expect(serverState(s)).toEqual(want2);
    expect(writes(s, mark)).toBe(scimMinimumWrites(want1, want2, d.change));

    mark = s.requestLog.length;
    await sync();
    expect(writes(s, mark)).toBe(0);
  }, 180_000);
});

import { randomBytes } from 'node:crypto';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import {
  createV3Harness,
  expectedRoles,
  leaversOf,
  minimumWrites,
  v3State,
  workday,
  type V3Harness,
} from '../../support/conformance/adminv3.js';
import { writesOf } from '../../support/target-harness.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { SlapdDirectory } from './day2-directory.js';
import { admin, ldap } from './helpers.js';

let client: Client;
let dir: SlapdDirectory;
let h: V3Harness;

beforeAll(async () => {
  client = await admin();
  dir = await SlapdDirectory.create(client, ldap.suffix, `v3-${randomBytes(3).toString('hex')}`);
  h = await createV3Harness(inject('redisUrl'), {
    emulator: { acceptInvitationsAfterMs: 0 },
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

describe('Admin API v3 from OpenLDAP, over HTTP and Redis', () => {
  it('backfill with one invitation per person, a day of churn exact with the minimum writes, then nothing', async () => {
    const day1 = generateDirectory({ people: 300, groups: 20, memberships: 500, nestingDepth: 2, seed: 41 });
    await dir.write(day1);
    const rt = await h.runtime();
    rt.startWorkers();
    const sync = () => runSync(rt, { mode: 'full', trigger: 'schedule' });

    const first = await sync();
    const before = expectedRoles(day1);
    expect(first.status).toBe('succeeded');
    expect(v3State(h.emulator)).toEqual({ roles: before, disabled: [] });
    expect(writesOf(h.emulator)).toHaveLength(Object.keys(before).length);

    const day2 = workday(day1, 42);
    await dir.write(day2);
    const second = await sync();
    const after = expectedRoles(day2);
    expect(second.status).toBe('succeeded');
    expect(v3State(h.emulator)).toEqual({ roles: after, disabled: leaversOf(before, after) });
    expect(writesOf(h.emulator)).toHaveLength(Object.keys(before).length + minimumWrites(before, after));
    expect((await sync()).plan!.phases.flat()).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { createDcHarness, tenantState, type DcHarness } from '../../support/conformance/datacentral.js';
import { isLocked } from './directory.js';
import { writesOf } from '../../support/target-harness.js';

const ldap = inject('ldap');
let h: DcHarness;

beforeAll(async () => {
  h = await createDcHarness(inject('redisUrl'), {
    source: {
      kind: 'ldap',
      url: ldap.url,
      startTls: true,
      caFile: ldap.caFile,
      bindDn: ldap.bindDn,
      bindPassword: ldap.password,
      people: { baseDn: `ou=people,${ldap.suffix}` },
      groups: { baseDn: `ou=groups,${ldap.suffix}` },
      disabled: { attribute: 'employeeType', values: ['disabled'] },
    },
    mapping: {
      include: ['/^(team-[0-4]|engineering|platform|sre)$/'],
      rules: [{ match: '^(.+)$', team: '$1' }],
      roles: [{ group: 'sre', role: 'EMEA Sales' }],
    },
  });
});
afterAll(() => h.close());

describe('OpenLDAP -> DataCentral units and roles', () => {
  it('mirrors the group nesting as a unit tree, writes once per user and unit, and a second run writes nothing', async () => {
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(first.status).toBe('succeeded');
    const units = h.emulator.dump().units.map((u) => u.path);
    expect(units).toEqual(
      expect.arrayContaining(['engineering', 'engineering/platform', 'engineering/platform/sre', 'team-0', 'team-4']),
    );
    expect(units).toHaveLength(8);
    const state = tenantState(h.emulator);
    // Nesting is transitive: sre's members are in platform and engineering too (defaultRole only where no rule names a role).
    expect(state['user2@example.com']).toMatchObject({
      units: ['engineering', 'engineering/platform', 'engineering/platform/sre', 'team-0'],
      roles: ['EMEA Sales'],
    });
    expect(state['user1@example.com']).toMatchObject({
      units: ['engineering', 'engineering/platform', 'team-0'],
      roles: ['User'],
    });
    // team-k holds users k*100..k*100+99 less the disabled (every 50th) and the locked.
    const inTeams = Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 50 !== 49 && !isLocked(i));
    expect(Object.keys(state)).toHaveLength(inTeams.length);
    expect(state['user49@example.com']).toBeUndefined();
    const writes = writesOf(h.emulator).length;
    expect(writes).toBe(inTeams.length + 8 + 1);

    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.plan!.phases.flat()).toHaveLength(0);
    expect(writesOf(h.emulator)).toHaveLength(writes);
  });
});

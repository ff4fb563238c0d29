import { randomBytes } from 'node:crypto';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { expectedTeams } from '../../support/expected-state.js';
import {
  CHARTIO_NAMES,
  DAY2_POLICY,
  DAY2_RULES,
  day2Base,
  day2Changes,
  day2Expected,
  day2Mapping,
  handEdits,
} from '../../support/day2-scenario.js';
import { SlapdDirectory } from './day2-directory.js';
import { admin, ldap } from './helpers.js';
import { writesOf } from '../../support/target-harness.js';

let client: Client;
let dir: SlapdDirectory;
let h: Harness;

beforeAll(async () => {
  client = await admin();
  dir = await SlapdDirectory.create(client, ldap.suffix, `day2-${randomBytes(3).toString('hex')}`);
  h = await createHarness(inject('redisUrl'), {
    policy: DAY2_POLICY,
    mapping: { rules: DAY2_RULES },
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

const writes = () => writesOf(h.emulator).length;

describe('day 2 from OpenLDAP, over HTTP and Redis, into the emulator', () => {
  it('leavers, hires, moves, disables, an email change, renamed / deleted / new / re-parented groups and hand edits end in exactly the expected state; a second run writes nothing', async () => {
    const base = day2Base(31, 120);
    await dir.write(base);
    const rt = await h.runtime();
    rt.startWorkers();
    const sync = () => runSync(rt, { mode: 'full', trigger: 'backfill' });

    const day1 = await sync();
    expect(day1.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(
      expectedTeams(base, ['owner@example.com'], { mapping: day2Mapping, ...CHARTIO_NAMES }),
    );
    expect((await sync()).plan!.phases.flat()).toEqual([]);

    const c = day2Changes(base, 32);
    const team4 = h.emulator.state.teamByName(c.renamed.from)!.id;
    const staleBefore = handEdits(h.emulator, c.deletedGroup.team);
    await dir.write(c.next);
    const before = writes();
    const day2 = await sync();
    expect(day2.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(day2Expected(c));

    const dump = h.emulator.dump();
    const desired = mapDirectory(c.next, day2Mapping, CHARTIO_NAMES.mapOptions);
    expect(dump.users.map((u) => u.email).sort()).toEqual(
      ['owner@example.com', ...desired.people.map((p) => p.email)].sort(),
    );
    const [oldEmail, newEmail] = c.emailChange;
    expect(dump.users.find((u) => u.email === oldEmail)).toBeUndefined();
    expect(dump.users.find((u) => u.email === newEmail)!.teams.sort()).toEqual(
      desired.people.find((p) => p.email === newEmail)!.teams,
    );
    expect(dump.teams.find((t) => t.name === c.renamed.to)!.id).toBe(team4);
    const lines = day2.plan!.warnings;
    expect(lines.filter((w) => w.startsWith('email changed: '))).toHaveLength(1);
    expect(lines).toContainEqual(expect.stringMatching(`^email changed: ${oldEmail} -> ${newEmail}: `));
    expect(lines).toContainEqual(
      `group "${c.deletedGroup.name}" is gone: team "${c.deletedGroup.team}" emptied (${staleBefore} removed)`,
    );
    expect(writes() - before).toBe(day2.plan!.phases.flat().length);

    const quiet = writes();
    const again = await sync();
    expect(again.plan!.phases.flat()).toEqual([]);
    expect(writes()).toBe(quiet);
    expect(teamsState(h.emulator)).toEqual(day2Expected(c));
  });
});

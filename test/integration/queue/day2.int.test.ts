import { afterEach, describe, expect, inject, it } from 'vitest';
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
import { writesOf } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const writes = (h: Harness) => writesOf(h.emulator).length;
const sync = (h: Harness, rt: Awaited<ReturnType<Harness['runtime']>>) =>
  runSync(rt, { mode: 'full', trigger: 'backfill' });

describe('day 2 from CSV, over HTTP and Redis, into the emulator', () => {
  it('leavers, hires, moves, disables, an email change, renamed / deleted / new / re-parented groups and hand edits end in exactly the expected state; a second run writes nothing', async () => {
    h = await createHarness(redisUrl, { policy: DAY2_POLICY, mapping: { rules: DAY2_RULES } });
    const base = day2Base(21);
    h.writeDirectory(base);
    const rt = await h.runtime();
    rt.startWorkers();

    const day1 = await sync(h, rt);
    expect(day1.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(
      expectedTeams(base, ['owner@example.com'], { mapping: day2Mapping, ...CHARTIO_NAMES }),
    );
    // The two names that differ only in case and the long name are stable: no flip-flop.
    expect((await sync(h, rt)).plan!.phases.flat()).toEqual([]);

    const c = day2Changes(base, 22);
    const team4 = h.emulator.state.teamByName(c.renamed.from)!.id;
    const staleBefore = handEdits(h.emulator, c.deletedGroup.team);
    expect(staleBefore).toBeGreaterThan(0);
    h.writeDirectory(c.next);
    const before = writes(h);
    const day2 = await sync(h, rt);
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
    expect(teamsState(h.emulator)[c.newGroup]!.length).toBeGreaterThan(0);

    const lines = day2.plan!.warnings;
    expect(lines.filter((w) => w.startsWith('email changed: '))).toEqual([
      expect.stringMatching(
        new RegExp(`^email changed: ${oldEmail.replace(/\./g, '\\.')} -> ${newEmail.replace(/\./g, '\\.')}: `),
      ),
    ]);
    expect(lines).toContainEqual(
      `group "${c.deletedGroup.name}" is gone: team "${c.deletedGroup.team}" emptied (${staleBefore} removed)`,
    );
    expect(writes(h) - before).toBe(day2.plan!.phases.flat().length);

    const quiet = writes(h);
    const again = await sync(h, rt);
    expect(again.status).toBe('succeeded');
    expect(again.plan!.phases.flat()).toEqual([]);
    expect(writes(h)).toBe(quiet);
    expect(teamsState(h.emulator)).toEqual(day2Expected(c));
  });

  it('with prune, the team of the deleted group is deleted instead, and the rest ends the same', async () => {
    h = await createHarness(redisUrl, {
      policy: { ...DAY2_POLICY, prune: true },
      mapping: { rules: DAY2_RULES },
    });
    const base = day2Base(41);
    h.writeDirectory(base);
    const rt = await h.runtime();
    rt.startWorkers();
    expect((await sync(h, rt)).status).toBe('succeeded');

    const c = day2Changes(base, 42);
    handEdits(h.emulator, c.deletedGroup.team);
    h.writeDirectory(c.next);
    const day2 = await sync(h, rt);
    expect(day2.status).toBe('succeeded');
    const { [c.deletedGroup.team]: _emptied, ...expected } = day2Expected(c);
    expect(teamsState(h.emulator)).toEqual(expected);
    expect(day2.plan!.warnings).toContainEqual(
      `group "${c.deletedGroup.name}" is gone: team "${c.deletedGroup.team}" deleted (prune)`,
    );
    expect(day2.plan!.counts.deleteTeam).toBe(1);

    const quiet = writes(h);
    expect((await sync(h, rt)).plan!.phases.flat()).toEqual([]);
    expect(writes(h)).toBe(quiet);
  });
});

import { afterEach, describe, expect, inject, it } from 'vitest';
import { planFromStore, runSync } from '../../../src/app/run-sync.js';
import type { Person, Snapshot } from '../../../src/model/index.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { normaliseOps } from '../../support/source-conformance/plans.js';

/**
 * A team from an attribute value follows the value: once nobody has it, the team is emptied as a
 * team whose group vanished is, and the next run writes nothing. Checked against the same
 * directory written with a group per department (the group deleted with its last member gone).
 */
const ATTRIBUTES = ['department'];

const person = (key: string, department: string): Person => ({
  sourceId: key,
  email: `${key}@emptied.test`,
  displayName: `Person ${key}`,
  enabled: true,
  groupIds: [],
  attributes: { department: [department] },
});

/** The same people with a group `dept-<department>` each instead of the attribute (no group left empty). */
function byGroup(people: Person[]): Snapshot {
  const names = [...new Set(people.map((p) => p.attributes!.department![0]!))];
  return {
    people: people.map(({ attributes, ...p }) => ({ ...p, groupIds: [`g-${attributes!.department![0]!}`] })),
    groups: names.map((n) => ({ sourceId: `g-${n}`, name: `dept-${n}`, parentIds: [] })),
    issues: [],
  };
}

const DAY1 = [person('solo', 'Solo'), person('s1', 'Sales'), person('s2', 'Sales')];
/** The only person in Solo moves to Sales: nobody has the value Solo any more. */
const DAY2 = [person('solo', 'Sales'), DAY1[1]!, DAY1[2]!];

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function syncedDayOne(variant: 'attribute' | 'group') {
  const h = await createHarness(inject('redisUrl'), {
    mapping:
      variant === 'attribute'
        ? { rules: [{ attribute: 'department', team: '${value}' }] }
        : { rules: [{ match: '^dept-(.*)$', team: '$1' }] },
    source:
      variant === 'attribute'
        ? { kind: 'csv', path: 'dir/people.csv', attributes: ATTRIBUTES, maxInvalidRows: 0 }
        : { kind: 'csv', path: 'dir/people.csv', groupsFile: { path: 'dir/groups.csv' }, maxInvalidRows: 0 },
    policy: { deprovision: 'delete-user' },
  });
  harnesses.push(h);
  const write = (people: Person[]) =>
    variant === 'attribute'
      ? h.writeDirectory({ people, groups: [], issues: [] }, ATTRIBUTES)
      : h.writeDirectory(byGroup(people));
  write(DAY1);
  const rt = await h.runtime();
  rt.startWorkers();
  expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).status).toBe('succeeded');
  expect(teamsState(h.emulator)).toMatchObject({ Solo: ['solo@emptied.test'] });
  write(DAY2);
  return { h, rt };
}

describe('the last person with a department value moves away', () => {
  it("empties the value's team with one remove, as a vanished group's team, and the next run writes nothing", async () => {
    const byAttribute = await syncedDayOne('attribute');
    const byGroups = await syncedDayOne('group');

    const planned = await planFromStore(byAttribute.rt, { mode: 'full' });
    const ops = planned.plan.phases.flat();
    expect(
      ops.map((op) => [op.kind, 'user' in op ? op.user.email : undefined, 'team' in op ? op.team?.name : undefined]),
    ).toEqual([
      ['addMember', 'solo@emptied.test', 'Sales'],
      ['removeMember', 'solo@emptied.test', 'Solo'],
    ]);
    const groupOps = (await planFromStore(byGroups.rt, { mode: 'full' })).plan.phases.flat();
    // Two emulators: their ids differ.
    expect(normaliseOps(ops, { ids: false })).toEqual(normaliseOps(groupOps, { ids: false }));

    for (const { h, rt } of [byAttribute, byGroups]) {
      expect((await runSync(rt, { mode: 'full', trigger: 'manual' })).status).toBe('succeeded');
      expect(teamsState(h.emulator)).toMatchObject({
        Solo: [],
        Sales: ['s1@emptied.test', 's2@emptied.test', 'solo@emptied.test'],
      });
      // The emptied team stays as it is: no flip-flop, nothing to write.
      expect((await runSync(rt, { mode: 'full', trigger: 'manual' })).plan!.phases.flat()).toEqual([]);
    }
  });
});

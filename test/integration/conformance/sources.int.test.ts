import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planFromStore, runSync } from '../../../src/app/run-sync.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Snapshot } from '../../../src/model/index.js';
import { createSource, SOURCE_KINDS } from '../../../src/sources/registry.js';
import { TARGET_KINDS } from '../../../src/targets/registry.js';
import type { ReadRequest, SourceRead } from '../../../src/sources/source.js';
import {
  applyChange,
  asValueGroups,
  attributeDirectory,
  CHANGE,
  conformanceDirectory,
  toSnapshot,
  type ChangeStep,
  type ConfDirectory,
} from '../../support/source-conformance/directory.js';
import {
  CONFORMANCE_ADAPTERS,
  type AdapterContext,
  type ConformanceAdapter,
  type LoadedDirectory,
} from '../../support/source-conformance/index.js';
import {
  normalise,
  resolveNesting,
  withoutPerson,
  type NormalSnapshot,
} from '../../support/source-conformance/normalise.js';
import { createHarness, teamsState } from '../../support/conformance/chartio.js';
import { writesOf } from '../../support/target-harness.js';
import {
  attributeMapping,
  emptyTargets,
  normaliseOps,
  valueGroupMapping,
  type EmptyTargets,
} from '../../support/source-conformance/plans.js';

/**
 * One directory, written into every registered source's server: each source's full read must give
 * the same snapshot (people by email, groups by name: ids differ by nature), before and after one
 * change; a source with an incremental read must, from the first read's cursor, end where a full
 * read of the changed directory does. A new source kind is proven by registering it and adding its
 * adapter under test/support/source-conformance/.
 */
const BEFORE = conformanceDirectory();
const AFTER = applyChange(BEFORE, CHANGE);
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** People with department and location as attributes, and the same people with a group per value instead. */
const BY_ATTRIBUTE = attributeDirectory();
const BY_GROUP = asValueGroups(BY_ATTRIBUTE);
/** The teams both mappings give: a team per department, `Office <location>` per location. */
const VALUE_TEAMS = [
  ...new Set(
    BY_ATTRIBUTE.people.flatMap((p) => [
      ...(p.attributes?.department !== undefined ? [p.attributes.department] : []),
      ...(p.attributes?.location !== undefined ? [`Office ${p.attributes.location}`] : []),
    ]),
  ),
].sort();

let redis: Redis;
/** An emulator of each target kind, empty: what both directories are planned against. */
let targets: EmptyTargets;
beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  targets = await emptyTargets(inject('redisUrl'), BY_ATTRIBUTE.people);
});
afterAll(async () => {
  await targets?.close();
  await redis.quit();
});

/** The expected snapshot as this adapter's source reports it (nesting as parents, or resolved). */
function view(adapter: ConformanceAdapter, s: Snapshot): NormalSnapshot {
  const n = normalise(s);
  return adapter.nesting === 'resolved' ? resolveNesting(n) : n;
}

const leaverEmails = (steps: ChangeStep[]) =>
  steps.flatMap((s) => (s.step === 'leave' ? [BEFORE.people.find((p) => p.key === s.person)!.email] : []));

describe.each(SOURCE_KINDS)('source kind %s', (kind) => {
  const adapters = CONFORMANCE_ADAPTERS[kind] ?? [];

  it('has a conformance adapter', () => {
    expect(adapters, `no adapter for source kind "${kind}" in test/support/source-conformance/index.ts`).not.toEqual(
      [],
    );
    expect(adapters.map((a) => a.kind)).toEqual(adapters.map(() => kind));
  });

  describe.each(adapters.map((a) => ({ name: a.name, adapter: a })))('$name', ({ adapter }) => {
    const ctx: AdapterContext = {
      ad: inject('ad'),
      tls: inject('tls'),
      runId: `${RUN}-${kind}-${adapters.indexOf(adapter)}`,
    };
    let loaded: LoadedDirectory;
    let first: SourceRead;
    /** One source per read, as the daemon makes one per run; reads sharing a key prefix share kept state. */
    const read = async (request: ReadRequest, keyPrefix: string, config = loaded.config) => {
      const source = createSource(config, {
        log: silentLogger,
        baseDir: '/',
        profile: 'conformance',
        redis,
        keyPrefix: `${ctx.runId}:${keyPrefix}:`,
      });
      try {
        return await source.read(request);
      } finally {
        await source.close?.();
      }
    };

    beforeAll(async () => {
      loaded = await adapter.load(BEFORE, ctx);
      first = await read({ mode: 'full' }, 'first');
    });
    afterAll(async () => {
      await loaded?.close();
    });

    it('a full read gives the directory: people, names, enabled, groups and nesting', () => {
      expect(first.mode).toBe('full');
      expect(view(adapter, first.snapshot)).toEqual(view(adapter, toSnapshot(BEFORE)));
      expect(first.snapshot.issues).toEqual([]);
    });

    it('after a leaver, a hire, a move, a renamed group and person, a disable and a new nesting, a full read gives the changed directory', async () => {
      await loaded.apply(CHANGE, BEFORE);

      const full = await read({ mode: 'full' }, 'after');

      expect(view(adapter, full.snapshot)).toEqual(view(adapter, toSnapshot(AFTER)));
      expect(full.snapshot.issues).toEqual([]);
      if (!adapter.incremental) return;

      const incremental = await read({ mode: 'incremental', cursor: first.nextCursor! }, 'first');

      expect(incremental.mode).toBe('incremental');
      const unseenLeavers = adapter.incremental.seesDeletions ? [] : leaverEmails(CHANGE);
      // Documented: a deleted entry shows only in a full read. Exactly the leavers differ, nothing else.
      let got = view(adapter, incremental.snapshot);
      for (const email of unseenLeavers) {
        expect(got.people.map((p) => p.email)).toContain(email);
        got = withoutPerson(got, email);
      }
      expect(got).toEqual(view(adapter, full.snapshot));
      expect(incremental.snapshot.issues).toEqual([]);
    });

    describe('department and location as attributes', () => {
      const names = (a: keyof typeof adapter.attributeNames) => adapter.attributeNames[a];
      let byAttribute: LoadedDirectory;
      let byGroup: LoadedDirectory;
      let attributeRead: SourceRead;
      let groupRead: SourceRead;
      beforeAll(async () => {
        // Apart from the main directory: their own OU, server or files (and, in AD, account names).
        byAttribute = await adapter.load(BY_ATTRIBUTE, { ...ctx, runId: `${ctx.runId}-va` });
        byGroup = await adapter.load(BY_GROUP, { ...ctx, runId: `${ctx.runId}-vg` });
        attributeRead = await read({ mode: 'full' }, 'by-attribute', byAttribute.config);
        groupRead = await read({ mode: 'full' }, 'by-group', byGroup.config);
      });
      afterAll(async () => {
        await byAttribute?.close();
        await byGroup?.close();
      });

      it('a full read gives each person their department and location, under the names source.attributes lists', () => {
        expect(view(adapter, attributeRead.snapshot)).toEqual(view(adapter, toSnapshot(BY_ATTRIBUTE, names)));
        expect(view(adapter, groupRead.snapshot)).toEqual(view(adapter, toSnapshot(BY_GROUP)));
        expect([...attributeRead.snapshot.issues, ...groupRead.snapshot.issues]).toEqual([]);
      });

      it.each(TARGET_KINDS)(
        'the same directory with attributes or with a group per value gives the same plan for %s',
        async (kind) => {
          const byValue = await targets.plan(kind, attributeRead, attributeMapping(kind, adapter.attributeNames));
          const byGroups = await targets.plan(kind, groupRead, valueGroupMapping(kind));

          expect(normaliseOps(byValue)).toEqual(normaliseOps(byGroups));
          // Not two empty plans: a team per value where the target has teams, and people in them.
          expect(byValue.length).toBeGreaterThan(0);
          const created = byValue.flatMap((op) => (op.kind === 'createTeam' ? [op.team.name] : []));
          if (created.length > 0) expect(created.sort()).toEqual(VALUE_TEAMS);
        },
      );

      it(`a department change on day two moves the person with two writes, a cleared one on day three with one; read ${adapter.incremental ? 'incrementally' : 'in full'}`, async () => {
        const mover = BY_ATTRIBUTE.people.find((p) => p.key === 'a00')!;
        const leaver = BY_ATTRIBUTE.people.find((p) => p.key === 'a04')!;
        expect([mover.attributes, leaver.attributes]).toMatchObject([
          { department: 'Engineering' },
          { department: 'Engineering', location: 'London' },
        ]);
        // Chartio: membership one call each way, the person's account kept.
        const h = await createHarness(inject('redisUrl'), {
          mapping: attributeMapping('chartio', adapter.attributeNames),
          source: JSON.parse(JSON.stringify(byAttribute.config)) as Record<string, unknown>,
          policy: { deprovision: 'delete-user' },
        });
        try {
          const rt = await h.runtime();
          rt.startWorkers();
          expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).status).toBe('succeeded');
          expect(teamsState(h.emulator)['Engineering']).toContain(mover.email);
          const mode = adapter.incremental ? 'incremental' : 'full';

          /** Makes `steps` in the server, plans from the last run's cursor, checks the ops, applies them. */
          const day = async (dir: ConfDirectory, steps: ChangeStep[], expected: [string, string, string][]) => {
            await byAttribute.apply(steps, dir);
            const planned = await planFromStore(rt, { mode });

            expect(planned.read.mode).toBe(mode);
            expect(
              planned.plan.phases
                .flat()
                .map((op) => [
                  op.kind,
                  'user' in op ? op.user.email : undefined,
                  'team' in op ? op.team?.name : undefined,
                ]),
            ).toEqual(expected);
            // What the incremental read gave is what a full read of the changed directory gives.
            const after = applyChange(dir, steps);
            const full = await read({ mode: 'full' }, `day-${steps.length}-${expected.length}`, byAttribute.config);
            expect(view(adapter, planned.read.snapshot)).toEqual(view(adapter, full.snapshot));
            expect(view(adapter, full.snapshot)).toEqual(view(adapter, toSnapshot(after, names)));

            const from = h.emulator.requestLog.length;
            expect((await runSync(rt, { mode, trigger: 'manual' })).status).toBe('succeeded');
            expect(writesOf(h.emulator, from)).toHaveLength(expected.length);
            return after;
          };

          const day2 = await day(
            BY_ATTRIBUTE,
            [{ step: 'set-attribute', person: mover.key, attribute: 'department', value: 'Finance' }],
            [
              ['addMember', mover.email, 'Finance'],
              ['removeMember', mover.email, 'Engineering'],
            ],
          );
          // Still in Office London: only the department's team goes.
          await day(
            day2,
            [{ step: 'set-attribute', person: leaver.key, attribute: 'department', value: undefined }],
            [['removeMember', leaver.email, 'Engineering']],
          );
          const teams = teamsState(h.emulator);
          expect(teams['Finance']).toContain(mover.email);
          expect(teams['Engineering']).not.toContain(mover.email);
          expect(teams['Engineering']).not.toContain(leaver.email);
          expect(teams['Office London']).toContain(leaver.email);
        } finally {
          await h.close();
        }
      });
    });
  });
});

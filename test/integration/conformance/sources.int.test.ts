import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import type { Snapshot } from '../../../src/model/index.js';
import { createSource, SOURCE_KINDS } from '../../../src/sources/registry.js';
import type { ReadRequest, SourceRead } from '../../../src/sources/source.js';
import {
  applyChange,
  CHANGE,
  conformanceDirectory,
  toSnapshot,
  type ChangeStep,
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

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
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
    const read = async (request: ReadRequest, keyPrefix: string) => {
      const source = createSource(loaded.config, {
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
  });
});

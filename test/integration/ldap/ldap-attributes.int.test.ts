import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../../src/errors/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import { personDn } from '../../support/ldif.js';
import { people } from './directory.js';
import { admin, capturingLogger, replace, source } from './helpers.js';

const dn = (i: number) => personDn(people[i]!);
const email = (i: number) => `user${i}@example.com`;
/** A JPEG's first bytes: not UTF-8, so ldapts hands the value over as bytes. */
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
const ATTRIBUTES = ['departmentNumber', 'title', 'jpegPhoto'];

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  const a = await admin();
  try {
    await a.modify(dn(40), [
      replace('departmentNumber', ['  Research \n and   Development ']),
      replace('title', ['Lead Engineer', 'Architect']),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'jpegPhoto', values: [PHOTO] }) }),
    ]);
    await a.modify(dn(41), [replace('departmentNumber', ['Sales'])]);
  } finally {
    await a.unbind();
  }
});
afterAll(async () => {
  const a = await admin();
  try {
    await a.modify(dn(40), [replace('departmentNumber', []), replace('title', []), replace('jpegPhoto', [])]);
    await a.modify(dn(41), [replace('departmentNumber', [])]);
  } finally {
    await a.unbind();
  }
  await redis.quit();
});

const attributesOf = (snap: Snapshot, i: number) => snap.people.find((p) => p.email === email(i))!.attributes;
/** A snapshot in a stable order, to compare an incremental read with a full one. */
const sorted = (snap: Snapshot) => ({
  people: [...snap.people]
    .map((p) => ({ ...p, groupIds: [...p.groupIds].sort() }))
    .sort((a, b) => a.sourceId.localeCompare(b.sourceId)),
  groups: [...snap.groups]
    .map((g) => ({ ...g, parentIds: [...g.parentIds].sort() }))
    .sort((a, b) => a.sourceId.localeCompare(b.sourceId)),
});

describe('LDAP source: source.attributes', () => {
  it('reads the listed attributes, normalised, multi-valued ones as lists; binary values are dropped', async () => {
    const { snapshot } = await source({ attributes: ATTRIBUTES }).read({ mode: 'full' });

    expect(attributesOf(snapshot, 40)).toEqual({
      departmentNumber: ['Research and Development'],
      title: ['Lead Engineer', 'Architect'],
    });
    expect(attributesOf(snapshot, 41)).toEqual({ departmentNumber: ['Sales'] });
    expect(attributesOf(snapshot, 42)).toEqual({});
    // The server answers with an attribute's own name (sn for surname, title for its OID): found all the same.
    const aliases = await source({ attributes: ['surname', '2.5.4.12'] }).read({ mode: 'full' });
    expect(attributesOf(aliases.snapshot, 40)).toEqual({ surname: ['40'], '2.5.4.12': ['Lead Engineer', 'Architect'] });
    // Without the list nothing more is read.
    const plain = await source().read({ mode: 'full' });
    expect(plain.snapshot.people.some((p) => p.attributes !== undefined)).toBe(false);
  });

  it('an incremental read sees a change to an attribute alone and equals a full read', async () => {
    const keyPrefix = `ldapattr-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
    const over = { attributes: ATTRIBUTES, maxClockSkewSeconds: 0 };
    // modifyTimestamp has one-second resolution: let the setup's changes fall behind the full read.
    await sleep(2100);
    const first = await source(over, { redis, keyPrefix }).read({ mode: 'full' });
    const a = await admin();
    try {
      await a.modify(dn(41), [replace('departmentNumber', ['Marketing'])]);
      const { log, lines } = capturingLogger();
      const inc = await source(over, { redis, keyPrefix, log }).read({
        mode: 'incremental',
        cursor: first.nextCursor!,
      });
      const full = await source(over).read({ mode: 'full' });

      expect(inc.mode).toBe('incremental');
      expect(lines.find((l) => l.msg === 'ldap incremental changes')).toMatchObject({ people: 1, groups: 0 });
      expect(attributesOf(inc.snapshot, 41)).toEqual({ departmentNumber: ['Marketing'] });
      // Kept people keep their attributes too.
      expect(attributesOf(inc.snapshot, 40)).toEqual(attributesOf(first.snapshot, 40));
      expect(sorted(inc.snapshot)).toEqual(sorted(full.snapshot));
    } finally {
      await a.modify(dn(41), [replace('departmentNumber', ['Sales'])]);
      await a.unbind();
    }
  });

  it('validate: check() names the listed attributes the schema does not hold, and the key', async () => {
    // Names match ignoring case, aliases (surname for sn) and OIDs included.
    await expect(source({ attributes: ['DepartmentNumber', 'surname', '2.5.4.12'] }).check()).resolves.toBeUndefined();

    const err = await source({ attributes: ['departmentNumber', 'costCentre', 'departmnt'] }, { profile: 'corp' })
      .check()
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('profiles.corp.source.attributes');
    expect((err as Error).message).toMatch(
      /^profiles\.corp\.source\.attributes: "costCentre", "departmnt" are not attributes of the schema of ldap:\/\/127\.0\.0\.1:\d+/,
    );
  });
});

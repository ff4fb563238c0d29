import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Op } from '../../../src/model/index.js';
import { Store } from '../../../src/store/store.js';

const redis = new Redis(inject('redisUrl'), { lazyConnect: true });
let prefix: string;
beforeAll(() => redis.connect());
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('link effects of whole-user writes', () => {
  it('a user created with its whole list is linked and granted each container; a setUser grants what it wrote and revokes what the user left; a failed one changes nothing', async () => {
    prefix = `wu-${randomBytes(4).toString('hex')}`;
    const store = new Store(redis, prefix, 'hr', 10);
    const create: Op = {
      kind: 'createUser',
      key: 'user-create.bob',
      reason: 'new',
      dependsOn: [],
      user: { sourceId: 'bob', email: 'bob@x.com' },
      displayName: 'Bob',
      teams: [
        { id: 'ou1', name: 'A', type: 'ou' },
        { name: 'B', type: 'ou', key: 'group:b' },
      ],
      roles: ['User'],
    };
    await store.recordOutcome('r', { op: create, outcome: 'applied', createdId: 'u7', teamIds: ['ou1', 'ou2'] });
    const set: Op = {
      kind: 'setUser',
      key: 'user-set.u7',
      reason: 'moved',
      dependsOn: [],
      user: { id: 'u7', sourceId: 'bob', email: 'bob@x.com' },
      teams: [{ id: 'ou3', name: 'C', type: 'ou' }],
      added: 1,
      removed: 2,
      left: ['ou1', 'ou2'],
    };
    await store.recordOutcome('r', { op: set, outcome: 'applied', teamIds: ['ou3'] });
    await store.recordOutcome('r2', {
      op: { ...set, key: 'user-set.u8', user: { id: 'u8', email: 'x@x.com' } },
      outcome: 'failed',
      teamIds: ['ou9'],
    });

    const links = await store.links.load();
    expect(links.users.get('bob')).toBe('u7');
    expect(links.granted).toEqual(new Set(['u7|ou3']));
    expect(await store.createdUserId('r', 'bob')).toBe('u7');
  });
});

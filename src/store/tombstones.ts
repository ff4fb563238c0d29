import type { ChainableCommander, Redis } from 'ioredis';
import type { ProfileKeys } from './keys.js';

/**
 * First-seen-absent times per target user id, for the deprovision grace period. Marking is
 * HSETNX, so a person absent for many runs keeps the time of the first; a return clears it.
 */
export class TombstoneStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ProfileKeys,
  ) {}

  async load(): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(this.keys.tombstones);
    return new Map(Object.entries(all).map(([id, ms]) => [id, Number(ms)]));
  }

  async update(change: { absent?: string[]; reappeared?: string[] }, now: number): Promise<void> {
    const m = this.redis.multi();
    this.queueUpdate(m, change, now);
    await m.exec();
  }

  queueUpdate(m: ChainableCommander, change: { absent?: string[]; reappeared?: string[] }, now: number): void {
    for (const id of change.absent ?? []) m.hsetnx(this.keys.tombstones, id, String(now));
    if (change.reappeared?.length) m.hdel(this.keys.tombstones, ...change.reappeared);
  }
}

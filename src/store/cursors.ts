import type { Redis } from 'ioredis';
import type { ProfileKeys } from './keys.js';

/** A staged cursor waits this long for its run to finish (a run that never does leaves no litter). */
const PENDING_TTL_S = 30 * 86_400;

/** Moves the run's pending cursor to the committed one, atomically. KEYS: pending, committed. */
const COMMIT = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('SET', KEYS[2], v)
redis.call('DEL', KEYS[1])
return 1
`;

type CursorRedis = Redis & { rostersyncCommitCursor(pending: string, committed: string): Promise<number> };

/**
 * What an incremental source resumes from (its change token or high-water mark, opaque here), and
 * the size of the last good read. A run stages the cursor its read returned; it becomes the
 * profile's cursor only once that run applied successfully, so a failed run is read again next
 * time, never skipped.
 */
export class CursorStore {
  private readonly redis: CursorRedis;

  constructor(
    redis: Redis,
    private readonly keys: ProfileKeys,
  ) {
    if (!('rostersyncCommitCursor' in redis))
      redis.defineCommand('rostersyncCommitCursor', { numberOfKeys: 2, lua: COMMIT });
    this.redis = redis as CursorRedis;
  }

  async committed(): Promise<string | undefined> {
    return (await this.redis.get(this.keys.cursor)) ?? undefined;
  }

  async stage(runId: string, cursor: string): Promise<void> {
    await this.redis.set(this.keys.run(runId).pendingCursor, cursor, 'EX', PENDING_TTL_S);
  }

  /** True when the run had a staged cursor, now committed. */
  async commit(runId: string): Promise<boolean> {
    return (await this.redis.rostersyncCommitCursor(this.keys.run(runId).pendingCursor, this.keys.cursor)) === 1;
  }

  /** Forgets the committed cursor: the next read is a full one. */
  async reset(): Promise<void> {
    await this.redis.del(this.keys.cursor);
  }

  async lastSourceSize(): Promise<number | undefined> {
    const v = await this.redis.get(this.keys.lastSourceSize);
    return v === null ? undefined : Number(v);
  }

  /** Per source of a joined profile: people each gave in the last read that fed a successful run. */
  async lastSourceSizes(): Promise<Record<string, number>> {
    const all = await this.redis.hgetall(this.keys.lastSourceSizes);
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Number(v)]));
  }

  async setLastSourceSizes(sizes: readonly { name: string; people: number }[]): Promise<void> {
    if (sizes.length === 0) return;
    await this.redis.hset(this.keys.lastSourceSizes, Object.fromEntries(sizes.map((s) => [s.name, String(s.people)])));
  }

  /** People in the last read that fed a successful run: the "much smaller directory" guard's reference. */
  async setLastSourceSize(people: number): Promise<void> {
    await this.redis.set(this.keys.lastSourceSize, String(people));
  }
}

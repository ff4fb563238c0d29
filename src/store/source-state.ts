import type { Redis } from 'ioredis';
import { sourceStatePrefix } from './keys.js';

/**
 * The keys a profile's source keeps between reads (a kept directory, a change-tracking state),
 * known to the store only as the suffixes its plug-in names (SourcePlugin.stateKeys): the store
 * can list and forget them without knowing which source wrote them.
 */
export class SourceStateStore {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    profile: string,
  ) {
    this.base = sourceStatePrefix(prefix, profile);
  }

  /** The full Redis keys of the given suffixes. */
  keys(suffixes: readonly string[]): string[] {
    return suffixes.map((s) => `${this.base}${s}`);
  }

  /** The suffixes that hold a value now. */
  async present(suffixes: readonly string[]): Promise<string[]> {
    const found = await Promise.all(this.keys(suffixes).map((k) => this.redis.exists(k)));
    return suffixes.filter((_, i) => found[i] === 1);
  }

  /** Forgets the source's kept state: its next incremental read starts from a full one. Returns the keys deleted. */
  async clear(suffixes: readonly string[]): Promise<number> {
    // One DEL: the keys share the profile's hash tag, so a Cluster takes them together.
    const keys = this.keys(suffixes);
    return keys.length === 0 ? 0 : this.redis.del(...keys);
  }
}

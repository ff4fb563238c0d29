import type { ChainableCommander, Redis } from 'ioredis';
import type { Links } from '../plan/plan-input.js';
import type { ProfileKeys } from './keys.js';

export interface SavedLinks {
  users?: [string, string][];
  teams?: [string, string][];
  granted?: string[];
  teamGroups?: [string, string][];
}

/** Fields per HSET: 10,000 links go out as 10 commands in one MULTI, one round trip. */
const CHUNK = 1000;

/**
 * Identity links of one profile: directory id -> target user id, team key -> target team id, team
 * key -> the name of its group when last seen (so a plan can name a group once it is deleted), and
 * (for `membership: additive`) the memberships the sync granted, as `userId|teamId`.
 */
export class LinkStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ProfileKeys,
  ) {}

  async load(): Promise<Links> {
    const [users, teams, granted, teamGroups] = await Promise.all([
      this.redis.hgetall(this.keys.userLinks),
      this.redis.hgetall(this.keys.teamLinks),
      this.redis.smembers(this.keys.granted),
      this.redis.hgetall(this.keys.teamGroups),
    ]);
    return {
      users: new Map(Object.entries(users)),
      teams: new Map(Object.entries(teams)),
      granted: new Set(granted),
      teamGroups: new Map(Object.entries(teamGroups)),
    };
  }

  /** Saves many links in one round trip. */
  async save(links: SavedLinks): Promise<void> {
    const m = this.redis.multi();
    this.queueSave(m, links);
    await m.exec();
  }

  /** Adds the writes to a caller's MULTI (so links and other facts land together). */
  queueSave(m: ChainableCommander, links: SavedLinks): void {
    const { users = [], teams = [], granted = [], teamGroups = [] } = links;
    for (let i = 0; i < teamGroups.length; i += CHUNK)
      m.hset(this.keys.teamGroups, Object.fromEntries(teamGroups.slice(i, i + CHUNK)));
    for (let i = 0; i < users.length; i += CHUNK)
      m.hset(this.keys.userLinks, Object.fromEntries(users.slice(i, i + CHUNK)));
    for (let i = 0; i < teams.length; i += CHUNK)
      m.hset(this.keys.teamLinks, Object.fromEntries(teams.slice(i, i + CHUNK)));
    for (let i = 0; i < granted.length; i += CHUNK) m.sadd(this.keys.granted, ...granted.slice(i, i + CHUNK));
  }

  async userId(sourceId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.userLinks, sourceId)) ?? undefined;
  }

  async teamId(teamKey: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.teamLinks, teamKey)) ?? undefined;
  }

  /** Forgets the links of users that are gone (deleted by hand, say). */
  async forgetUsers(sourceIds: string[]): Promise<void> {
    if (sourceIds.length > 0) await this.redis.hdel(this.keys.userLinks, ...sourceIds);
  }
}

import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/** One run per profile at a time, across replicas: a lease with an owner token, renewed while the run lives. */
export class RunLock {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}

  async acquire(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** False when the lease expired or another owner holds it. */
  async renew(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key, owner, String(ttlMs))) === 1;
  }

  /** Releases only this owner's lease. */
  async release(owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, owner);
  }
}

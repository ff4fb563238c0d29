import { describe, expect, it } from 'vitest';
import { redisSchema } from '../../../src/config/redis-schema.js';
import { describeRedis } from '../../../src/app/runtime.js';

const messages = (v: unknown) =>
  (redisSchema.safeParse(v).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('redis config', () => {
  it('defaults to one local server, exactly as before', () => {
    expect(redisSchema.parse(undefined)).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'rostersync' });
  });

  it('accepts a Sentinel set and a Cluster, and says where each is without passwords', () => {
    const s = redisSchema.parse({
      sentinels: ['10.0.0.1:26379', 'sentinel-b:26379'],
      name: 'main',
      password: 'pw',
      sentinelPassword: 'spw',
      tls: true,
    });
    expect(describeRedis(s)).toBe('sentinel set main via 10.0.0.1:26379,sentinel-b:26379');
    const c = redisSchema.parse({ cluster: ['10.0.0.1:7000'] });
    expect(describeRedis(c)).toBe('cluster via 10.0.0.1:7000');
    expect(describeRedis(redisSchema.parse({ url: 'redis://u:secret@h:6379' }))).toBe('redis://u:[REDACTED]@h:6379');
  });

  it('names what is missing or contradictory', () => {
    expect(messages({ sentinels: ['a:1'] })).toEqual([
      'name: sentinels need the primary set name they monitor (redis.name)',
    ]);
    expect(messages({ name: 'main' })).toEqual([
      'sentinels: redis.name is the Sentinel primary set name: list the sentinels too',
    ]);
    expect(messages({ sentinels: ['a:1'], name: 'm', cluster: ['b:2'] })).toEqual([
      'cluster: set either sentinels (with name) or cluster, not both',
    ]);
    expect(messages({ cluster: ['no-port'] })).toEqual(['cluster.0: expected host:port, e.g. 10.0.0.5:26379']);
  });
});

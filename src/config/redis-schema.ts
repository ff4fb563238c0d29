import { z } from 'zod';

/** `host:port`, as redis-cli and the Sentinel docs write a node. */
const node = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 10.0.0.5:26379');

/**
 * One of three ways to reach Redis, for the queue, the budget, the store and the locks alike:
 * `url` (one server, the default), `sentinels` + `name` (a Sentinel-managed primary; a failover
 * is a reconnect) or `cluster` (a Redis Cluster; every key is hash-tagged so scripts stay on one
 * slot). `url` keeps its default so a config without `redis` works as before; it is ignored when
 * `sentinels` or `cluster` is set.
 */
export const redisSchema = z
  .object({
    url: z.string().default('redis://127.0.0.1:6379'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('rostersync'),
    sentinels: z
      .array(node)
      .min(1)
      .optional()
      .describe('Sentinel nodes (host:port); with `name`, the primary is asked of them.'),
    name: z
      .string()
      .min(1)
      .optional()
      .describe('The primary set name the sentinels monitor (sentinel monitor <name> ...).'),
    cluster: z.array(node).min(1).optional().describe('Cluster seed nodes (host:port); the rest are discovered.'),
    username: z.string().optional().describe('ACL user on the data nodes (Sentinel or Cluster).'),
    password: z.string().optional().describe('Password of the data nodes (Sentinel or Cluster).'),
    sentinelUsername: z.string().optional(),
    sentinelPassword: z.string().optional().describe('Password of the sentinels themselves, when they have one.'),
    tls: z
      .boolean()
      .optional()
      .describe('TLS to the data nodes (Sentinel or Cluster); the system CAs plus NODE_EXTRA_CA_CERTS are trusted.'),
    sentinelTls: z.boolean().optional().describe('TLS to the sentinels.'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.sentinels && r.cluster)
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: 'set either sentinels (with name) or cluster, not both',
      });
    if (r.sentinels && !r.name)
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'sentinels need the primary set name they monitor (redis.name)',
      });
    if (r.name && !r.sentinels)
      ctx.addIssue({
        code: 'custom',
        path: ['sentinels'],
        message: 'redis.name is the Sentinel primary set name: list the sentinels too',
      });
  })
  .prefault({});

export type RedisConfig = z.output<typeof redisSchema>;

import type { TestProject } from 'vitest/node';
import { findOrStartRedis } from '../../src/store/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** One Redis for the integration project: REDIS_URL, else 127.0.0.1:6379, else a private redis-server. Fails loudly. */
export default async function setup(project: TestProject) {
  const redis = await findOrStartRedis();
  project.provide('redisUrl', redis.url);
  return async () => redis.stop();
}

import type { TestProject } from 'vitest/node';
import { findOrStartRedis } from '../../src/store/redis-server.js';
import { sharedTestCa } from '../support/test-ca.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    tls: { ca: string; cert: string; key: string };
  }
}

/**
 * One Redis for the integration project (REDIS_URL, else 127.0.0.1:6379, else a private
 * redis-server; fails loudly), and a test CA for HTTPS fakes. The identity library insists on
 * https authorities, so the CA is trusted through NODE_EXTRA_CA_CERTS, which the test workers
 * (and the CLI processes they start) inherit.
 */
export default async function setup(project: TestProject) {
  const redis = await findOrStartRedis();
  const { tls, release } = sharedTestCa();
  project.provide('redisUrl', redis.url);
  project.provide('tls', tls);
  return async () => {
    await redis.stop();
    release();
  };
}

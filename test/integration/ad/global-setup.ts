import type { TestProject } from 'vitest/node';
import { findOrStartRedis } from '../../../src/store/redis-server.js';
import { startSambaDc } from '../../support/samba-dc.js';
import { sharedTestCa } from '../../support/test-ca.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ad: { url: string; baseDn: string; bindDn: string; password: string };
  }
}

/**
 * A real Samba AD DC for the Active Directory preset, Redis for incremental reads, and a test CA
 * for the fake Graph of the source conformance suite (the run's one CA, shared with the
 * integration project: test/support/test-ca.ts). Fails loudly when something cannot start.
 */
export default async function setup(project: TestProject) {
  const [dcStart, redisStart] = await Promise.allSettled([startSambaDc(), findOrStartRedis()]);
  if (dcStart.status === 'rejected' || redisStart.status === 'rejected') {
    // The one that did start stops: a failed setup leaves no server behind.
    if (dcStart.status === 'fulfilled') await dcStart.value.stop();
    if (redisStart.status === 'fulfilled') await redisStart.value.stop();
    throw dcStart.status === 'rejected' ? dcStart.reason : (redisStart as PromiseRejectedResult).reason;
  }
  const [dc, redis] = [dcStart.value, redisStart.value];
  const { tls, release } = sharedTestCa();
  project.provide('ad', { url: dc.url, baseDn: dc.baseDn, bindDn: dc.bindDn, password: dc.password });
  project.provide('redisUrl', redis.url);
  project.provide('tls', tls);
  return async () => {
    await dc.stop();
    await redis.stop();
    release();
  };
}

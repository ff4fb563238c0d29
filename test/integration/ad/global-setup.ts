import type { TestProject } from 'vitest/node';
import { findOrStartRedis } from '../../../src/store/redis-server.js';
import { startSambaDc } from '../../support/samba-dc.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ad: { url: string; baseDn: string; bindDn: string; password: string };
  }
}

/** A real Samba AD DC for the Active Directory preset (plus Redis for incremental reads). Fails loudly when it cannot start. */
export default async function setup(project: TestProject) {
  const [dc, redis] = await Promise.all([startSambaDc(), findOrStartRedis()]);
  project.provide('ad', { url: dc.url, baseDn: dc.baseDn, bindDn: dc.bindDn, password: dc.password });
  project.provide('redisUrl', redis.url);
  return async () => {
    await dc.stop();
    await redis.stop();
  };
}

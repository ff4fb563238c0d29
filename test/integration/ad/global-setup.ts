import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findOrStartRedis } from '../../../src/store/redis-server.js';
import { startSambaDc } from '../../support/samba-dc.js';
import { makeCerts } from '../../support/slapd.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ad: { url: string; baseDn: string; bindDn: string; password: string };
  }
}

/**
 * A real Samba AD DC for the Active Directory preset, Redis for incremental reads, and a test CA
 * for the fake Graph of the source conformance suite (trusted by the workers through
 * NODE_EXTRA_CA_CERTS, as in the integration project). Fails loudly when something cannot start.
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
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-tls-'));
  const tls = makeCerts(dir);
  process.env.NODE_EXTRA_CA_CERTS = tls.ca;
  project.provide('ad', { url: dc.url, baseDn: dc.baseDn, bindDn: dc.bindDn, password: dc.password });
  project.provide('redisUrl', redis.url);
  project.provide('tls', tls);
  return async () => {
    await dc.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

import type { TestProject } from 'vitest/node';
import { findOrStartRedis } from '../../../src/store/redis-server.js';
import { ADMIN_DN, SUFFIX, startSlapd } from '../../support/slapd.js';
import { ldif } from './directory.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ldap: { url: string; port: number; caFile: string; bindDn: string; password: string; suffix: string };
  }
}

/** One real OpenLDAP slapd (plus Redis) for the LDAP project. Fails loudly when it cannot start. */
export default async function setup(project: TestProject) {
  const [slapd, redis] = await Promise.all([startSlapd(ldif()), findOrStartRedis()]);
  project.provide('ldap', { url: slapd.url, port: slapd.port, caFile: slapd.caFile, bindDn: ADMIN_DN, password: slapd.password, suffix: SUFFIX });
  project.provide('redisUrl', redis.url);
  return async () => {
    await slapd.stop();
    await redis.stop();
  };
}

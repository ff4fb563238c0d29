import type { TestProject } from 'vitest/node';
import { findOrStartRedis } from '../../../src/store/redis-server.js';
import { ADMIN_DN, SUFFIX, startSlapd } from '../../support/slapd.js';
import { sharedTestCa } from '../../support/test-ca.js';
import { directory, LIMITED_DN, LIMITED_PASSWORD, SERVICE_DN, SERVICE_PASSWORD } from './directory.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ldap: {
      url: string;
      port: number;
      caFile: string;
      suffix: string;
      /** The read-only service account the source binds as. */
      bindDn: string;
      password: string;
      /** For tests that change the directory. */
      adminDn: string;
      adminPassword: string;
      limitedDn: string;
      limitedPassword: string;
    };
  }
}

/**
 * One real OpenLDAP slapd (-d 0, foreground, 127.0.0.1 on a free port, temporary slapd.conf and mdb
 * database, memberof and ppolicy overlays, a generated CA and server certificate for StartTLS) plus Redis for the
 * LDAP project. Throws with slapd's own output when it cannot start; teardown is SIGTERM, wait,
 * SIGKILL after 5 s, then the temporary directory goes.
 */
export default async function setup(project: TestProject) {
  const { ldif, options } = directory();
  const [slapd, redis] = await Promise.all([startSlapd(ldif, options), findOrStartRedis()]);
  project.provide('ldap', {
    url: slapd.url,
    port: slapd.port,
    caFile: slapd.caFile,
    suffix: SUFFIX,
    bindDn: SERVICE_DN,
    password: SERVICE_PASSWORD,
    adminDn: ADMIN_DN,
    adminPassword: slapd.password,
    limitedDn: LIMITED_DN,
    limitedPassword: LIMITED_PASSWORD,
  });
  project.provide('redisUrl', redis.url);
  // The fake Graph (the Entra side of the tests that compare the two sources) serves HTTPS signed by the test CA.
  const { tls, release } = sharedTestCa();
  project.provide('tls', tls);
  return async () => {
    await slapd.stop();
    await redis.stop();
    release();
  };
}

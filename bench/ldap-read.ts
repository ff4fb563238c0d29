// LDAP read throughput: a real slapd with N people in 300 groups, read in full by the LDAP source.
import { silentLogger } from '../src/log/logger.js';
import { LdapSource } from '../src/sources/ldap/index.js';
import { ldapSourceSchema } from '../src/sources/ldap/schema.js';
import { directoryLdif, personDn, type LdifPerson } from '../test/support/ldif.js';
import { ADMIN_DN, startSlapd, SUFFIX } from '../test/support/slapd.js';

export interface LdapReadResult { people: number; groups: number; seconds: number; peoplePerSecond: number; requests: number }

export async function ldapRead(n: number, groups = 300): Promise<LdapReadResult> {
  const people: LdifPerson[] = Array.from({ length: n }, (_, i) => ({ uid: `u${i}`, cn: `User ${i}`, mail: `u${i}@example.com` }));
  const g = Array.from({ length: groups }, (_, k) => ({ cn: `g${k}`, members: people.filter((_, i) => i % groups === k).map(personDn) }));
  const slapd = await startSlapd(directoryLdif(people, g));
  try {
    const source = new LdapSource(ldapSourceSchema.parse({
      kind: 'ldap', url: slapd.url, bindDn: ADMIN_DN, bindPassword: slapd.password, pageSize: 500,
      people: { baseDn: `ou=people,${SUFFIX}` }, groups: { baseDn: `ou=groups,${SUFFIX}` },
    }), { log: silentLogger, baseDir: '/', profile: 'bench' });
    await source.read({ mode: 'full' }); // warm the server's caches
    const t0 = performance.now();
    const read = await source.read({ mode: 'full' });
    const seconds = (performance.now() - t0) / 1000;
    return { people: read.snapshot.people.length, groups: read.snapshot.groups.length, seconds, peoplePerSecond: read.snapshot.people.length / seconds, requests: read.requests ?? 0 };
  } finally {
    await slapd.stop();
  }
}

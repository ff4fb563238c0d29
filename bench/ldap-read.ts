// LDAP read throughput: a real slapd with N people in 300 groups, read in full by the LDAP source.
// `npx tsx bench/ldap-read.ts [people]` prints the number; bench/run.ts includes it in its table.
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../src/log/logger.js';
import { LdapSource } from '../src/sources/ldap/index.js';
import { ldapSourceSchema } from '../src/sources/ldap/schema.js';
import { directoryLdif, personDn, type LdifPerson } from '../test/support/ldif.js';
import { ADMIN_DN, startSlapd, SUFFIX } from '../test/support/slapd.js';

export interface LdapReadResult {
  people: number;
  groups: number;
  seconds: number;
  peoplePerSecond: number;
  requests: number;
  rounds: number;
}

export async function ldapRead(n: number, groups = 300, rounds = 5): Promise<LdapReadResult> {
  const people: LdifPerson[] = Array.from({ length: n }, (_, i) => ({
    uid: `u${i}`,
    cn: `User ${i}`,
    mail: `u${i}@example.com`,
  }));
  const g = Array.from({ length: groups }, (_, k) => ({
    cn: `g${k}`,
    members: people.filter((_, i) => i % groups === k).map(personDn),
  }));
  const slapd = await startSlapd(directoryLdif(people, g));
  try {
    const source = new LdapSource(
      ldapSourceSchema.parse({
        kind: 'ldap',
        url: slapd.url,
        bindDn: ADMIN_DN,
        bindPassword: slapd.password,
        pageSize: 500,
        people: { baseDn: `ou=people,${SUFFIX}` },
        groups: { baseDn: `ou=groups,${SUFFIX}` },
      }),
      { log: silentLogger, baseDir: '/', profile: 'bench' },
    );
    await source.read({ mode: 'full' }); // warm the server's caches
    const times: number[] = [];
    let last = await source.read({ mode: 'full' });
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      last = await source.read({ mode: 'full' });
      times.push((performance.now() - t0) / 1000);
    }
    const seconds = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!; // median
    const count = last.snapshot.people.length;
    return {
      people: count,
      groups: last.snapshot.groups.length,
      seconds,
      peoplePerSecond: count / seconds,
      requests: last.requests ?? 0,
      rounds,
    };
  } finally {
    await slapd.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 10_000);
  const r = await ldapRead(n);
  process.stdout.write(
    `LDAP full read (real slapd, median of ${r.rounds}): ${r.people} people in ${r.groups} groups, ${r.seconds.toFixed(3)} s, ${Math.round(r.peoplePerSecond)} people/s, ${r.requests} requests\n`,
  );
}

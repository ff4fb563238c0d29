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
  /** This process's CPU time (user + system) for one read, the median: the rest of a read is the server's and the wire's. */
  clientCpuMs: number;
}

/** Six attributes inetOrgPerson holds, read with `source.attributes` when a run asks for them. */
export const LDAP_BENCH_ATTRIBUTES = [
  'departmentNumber',
  'title',
  'l',
  'employeeNumber',
  'businessCategory',
  'roomNumber',
];

/** The goal: a full read with the six attributes costs at most this times one without. */
export const LDAP_ATTRIBUTES_GOAL = 1.3;

const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Legal', 'People', 'Operations'];
const LOCATIONS = [
  'London',
  'Berlin',
  'New York',
  'Singapore',
  'Paris',
  'Toronto',
  'Sydney',
  'Madrid',
  'Tokyo',
  'Dublin',
];

const extraFor = (i: number): Record<string, string> => ({
  departmentNumber: DEPARTMENTS[i % DEPARTMENTS.length]!,
  title: i % 25 === 0 ? 'Head of Sales' : 'Senior Engineer',
  l: LOCATIONS[(i * 3) % LOCATIONS.length]!,
  employeeNumber: String(100_000 + i),
  businessCategory: i % 20 === 0 ? 'Contractor' : 'Employee',
  roomNumber: `B${1 + (i % 6)}.${String(i % 400).padStart(3, '0')}`,
});

/** One slapd holding `n` people in `groups` groups, and the LDAP source that reads it. */
async function openDirectory(n: number, groups: number, attributes: boolean) {
  const people: LdifPerson[] = Array.from({ length: n }, (_, i) => ({
    uid: `u${i}`,
    cn: `User ${i}`,
    mail: `u${i}@example.com`,
    ...(attributes ? { extra: extraFor(i) } : {}),
  }));
  const g = Array.from({ length: groups }, (_, k) => ({
    cn: `g${k}`,
    members: people.filter((_, i) => i % groups === k).map(personDn),
  }));
  const slapd = await startSlapd(directoryLdif(people, g));
  const source = new LdapSource(
    ldapSourceSchema.parse({
      kind: 'ldap',
      url: slapd.url,
      bindDn: ADMIN_DN,
      bindPassword: slapd.password,
      pageSize: 500,
      people: { baseDn: `ou=people,${SUFFIX}` },
      groups: { baseDn: `ou=groups,${SUFFIX}` },
      ...(attributes ? { attributes: LDAP_BENCH_ATTRIBUTES } : {}),
    }),
    { log: silentLogger, baseDir: '/', profile: 'bench' },
  );
  const times: number[] = [];
  const cpu: number[] = [];
  let last = await source.read({ mode: 'full' }); // warms the server's caches
  return {
    slapd,
    /** One timed full read. */
    async read(): Promise<void> {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      last = await source.read({ mode: 'full' });
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    },
    result(): LdapReadResult {
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const seconds = median(times);
      const count = last.snapshot.people.length;
      if (attributes && !last.snapshot.people.every((p) => Object.keys(p.attributes ?? {}).length === 6))
        throw new Error('the read lost attributes: not every person has the six');
      return {
        people: count,
        groups: last.snapshot.groups.length,
        seconds,
        peoplePerSecond: count / seconds,
        requests: last.requests ?? 0,
        rounds: times.length,
        clientCpuMs: median(cpu),
      };
    },
  };
}

/**
 * A full read of `n` people in `groups` groups, the median of `rounds`. With `attributes`, every
 * person carries the six LDAP_BENCH_ATTRIBUTES (in the directory too: without, the entries lack them).
 */
export async function ldapRead(n: number, groups = 300, rounds = 5, attributes = false): Promise<LdapReadResult> {
  const dir = await openDirectory(n, groups, attributes);
  try {
    for (let r = 0; r < rounds; r++) await dir.read();
    return dir.result();
  } finally {
    await dir.slapd.stop();
  }
}

/**
 * The same directory without and with the six attributes, each on its own slapd, read in turns
 * (one without, one with, `rounds` times): a machine that slows down for a while slows both alike.
 */
export async function ldapAttributesRead(n: number, groups = 300, rounds = 21) {
  const plain = await openDirectory(n, groups, false);
  try {
    const rich = await openDirectory(n, groups, true);
    try {
      for (let r = 0; r < rounds; r++) {
        await plain.read();
        await rich.read();
      }
      const without = plain.result();
      const withAttributes = rich.result();
      return { without, with: withAttributes, ratio: withAttributes.seconds / without.seconds };
    } finally {
      await rich.slapd.stop();
    }
  } finally {
    await plain.slapd.stop();
  }
}

export function ldapAttributesLines(r: Awaited<ReturnType<typeof ldapAttributesRead>>): string[] {
  const rows: [string, LdapReadResult][] = [
    ['without attributes', r.without],
    ['six attributes', r.with],
  ];
  return [
    ...rows.map(
      ([label, x]) =>
        `${label.padEnd(20)}${String(x.people).padStart(7)} people ${x.seconds.toFixed(3).padStart(7)} s ${String(Math.round(x.peoplePerSecond)).padStart(7)} people/s ${String(x.requests).padStart(5)} requests ${x.clientCpuMs.toFixed(0).padStart(6)} ms client CPU`,
    ),
    `with attributes / without: x${r.ratio.toFixed(2)} (client CPU x${(r.with.clientCpuMs / r.without.clientCpuMs).toFixed(2)}); goal x${LDAP_ATTRIBUTES_GOAL.toFixed(1)}: ${r.ratio <= LDAP_ATTRIBUTES_GOAL ? 'met' : 'NOT met'}`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 10_000);
  if (process.argv[3] === 'attributes') {
    const r = await ldapAttributesRead(n);
    process.stdout.write(
      `LDAP full read (real slapd, read in turns, median of ${r.with.rounds}), ${r.with.groups} groups:\n`,
    );
    process.stdout.write(ldapAttributesLines(r).join('\n') + '\n');
  } else {
    const r = await ldapRead(n);
    process.stdout.write(
      `LDAP full read (real slapd, median of ${r.rounds}): ${r.people} people in ${r.groups} groups, ${r.seconds.toFixed(3)} s, ${Math.round(r.peoplePerSecond)} people/s, ${r.requests} requests\n`,
    );
  }
}

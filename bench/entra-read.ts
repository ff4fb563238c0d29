// Entra read cost against the fake Graph over HTTPS: 10,000 people in 300 groups nested three deep,
// read in full scoped by groups.ids and unscoped, each with and without the nesting.
// `npx tsx bench/entra-read.ts` prints the rows; bench/run.ts includes them in its table.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger } from '../src/log/logger.js';
import { EntraSource } from '../src/sources/entra/index.js';
import { entraSourceSchema } from '../src/sources/entra/schema.js';
import { startFakeGraph } from '../test/support/fake-graph/server.js';
import { makeCerts } from '../test/support/slapd.js';

export interface EntraReadRow {
  scope: 'ids' | 'all';
  nesting: boolean;
  people: number;
  groups: number;
  /** HTTP round trips (a $batch once). */
  requests: number;
  /** Graph operations, each request inside a $batch counted: what Graph's throttling charges. */
  calls: number;
  /** Median of the rounds. */
  seconds: number;
}

async function measure(people: number, groups: number, rounds: number): Promise<EntraReadRow[]> {
  const dir = process.argv[process.argv.indexOf('--child') + 1]!;
  const graph = await startFakeGraph({
    tenantId: 't',
    clientId: 'c',
    clientSecret: 's',
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server.key'),
  });
  try {
    const d = graph.dir;
    for (let i = 0; i < people; i++)
      d.addUser({ id: `u${i}`, displayName: `U${i}`, mail: `u${i}@x.test`, userPrincipalName: `u${i}@x.test` });
    // Three levels of a third each: group k of a level below the first sits in group k of the level above.
    const level = Math.ceil(groups / 3);
    for (let k = groups - 1; k >= 0; k--) {
      const members = Array.from({ length: Math.ceil(people / groups) }, (_, i) => `u${(i * groups + k) % people}`);
      const child = k + level < groups ? [`g${k + level}`] : [];
      d.addGroup(`g${k}`, `grp-${k}`, [...new Set(members), ...child]);
    }
    const ids = Array.from({ length: groups }, (_, k) => `g${k}`);
    const rows: EntraReadRow[] = [];
    for (const scope of ['all', 'ids'] as const)
      for (const nesting of [false, true]) {
        const source = new EntraSource(
          entraSourceSchema.parse({
            kind: 'entra',
            tenantId: 't',
            clientId: 'c',
            clientSecret: 's',
            authorityHost: graph.url,
            graphBaseUrl: graph.url,
            groups: { ...(scope === 'ids' ? { ids } : {}), nesting },
          }),
          { log: silentLogger, baseDir: '/', profile: 'bench' },
        );
        await source.read({ mode: 'full' }); // warm the token and the connection
        const times: number[] = [];
        let last = { requests: 0, calls: 0, people: 0, groups: 0 };
        for (let r = 0; r < rounds; r++) {
          const calls0 = graph.graphCalls().length;
          const t0 = performance.now();
          const read = await source.read({ mode: 'full' });
          times.push((performance.now() - t0) / 1000);
          last = {
            requests: read.requests ?? 0,
            calls: graph.graphCalls().length - calls0,
            people: read.snapshot.people.length,
            groups: read.snapshot.groups.length,
          };
        }
        rows.push({ scope, nesting, ...last, seconds: times.sort((a, b) => a - b)[Math.floor(times.length / 2)]! });
      }
    return rows;
  } finally {
    await graph.close();
  }
}

/** In a child process: the identity library takes only https authorities, trusted through NODE_EXTRA_CA_CERTS at start. */
export function entraRead(people = 10_000, groups = 300, rounds = 3): EntraReadRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-bench-entra-'));
  try {
    const tls = makeCerts(dir);
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        dir,
        String(people),
        String(groups),
        String(rounds),
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.ca }, maxBuffer: 1 << 24 },
    );
    return JSON.parse(out.trim().split('\n').pop()!) as EntraReadRow[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatEntraRows(rows: EntraReadRow[]): string[] {
  const unscoped = (nesting: boolean) => rows.find((r) => r.scope === 'all' && r.nesting === nesting)!;
  return [
    'scope          nesting  people  groups  HTTP requests  Graph calls  calls vs unscoped  seconds',
    ...rows.map(
      (r) =>
        `${(r.scope === 'ids' ? 'groups.ids' : 'every group').padEnd(15)}${String(r.nesting).padEnd(7)}${String(r.people).padStart(8)}${String(r.groups).padStart(8)}${String(r.requests).padStart(15)}${String(r.calls).padStart(13)}${(r.calls / unscoped(r.nesting).calls).toFixed(2).padStart(19)}${r.seconds.toFixed(2).padStart(9)}`,
    ),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--child')) {
    const at = process.argv.indexOf('--child');
    const [people, groups, rounds] = process.argv.slice(at + 2).map(Number);
    process.stdout.write(JSON.stringify(await measure(people!, groups!, rounds!)) + '\n');
  } else {
    const people = Number(process.argv[2] ?? 10_000);
    for (const line of formatEntraRows(entraRead(people))) process.stdout.write(line + '\n');
  }
}

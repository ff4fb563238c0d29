import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createGrafanaEmulator, DEFAULT_TOKEN, type GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, SECRET, type Harness } from '../../support/conformance/chartio.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';
import { runCli } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
const tls = inject('tls');
const ENTRA_SECRET = 'validate-entra-secret-3a9';
let h: Harness | undefined;
let grafana: GrafanaEmulator | undefined;
let graph: FakeGraph | undefined;
afterEach(async () => {
  await h?.close();
  await grafana?.close();
  await graph?.close();
  h = grafana = graph = undefined;
});

/**
 * Three profiles on two named targets: `hr` (CSV -> chartio), `sales` (Entra -> the same chartio)
 * and `ops` (CSV -> Grafana). Secrets come from the environment, so a refused one is named by its
 * variable.
 */
async function threeProfiles(): Promise<string> {
  h = await createHarness(redisUrl);
  h.writeDirectory(generateDirectory({ people: 5, groups: 1, memberships: 5, seed: 81 }));
  grafana = await createGrafanaEmulator();
  graph = await startFakeGraph({
    tenantId: 't1',
    clientId: 'c1',
    clientSecret: ENTRA_SECRET,
    cert: tls.cert,
    key: tls.key,
  });
  graph.dir.addUser({ id: 'u1', displayName: 'U1', mail: 'u1@corp.test', userPrincipalName: 'u1@corp.test' });
  graph.dir.addGroup('g1', 'rs-platform', ['u1']);
  const c = JSON.parse(readFileSync(h.configPath, 'utf8'));
  const [hr] = c.profiles;
  c.targets = {
    chart: c.target,
    graf: { kind: 'grafana', baseUrl: grafana.url, token: '${GRAFANA_TOKEN}', timeoutMs: 5000 },
  };
  delete c.target;
  c.profiles = [
    { ...hr, target: 'chart' },
    {
      name: 'sales',
      target: 'chart',
      source: {
        kind: 'entra',
        tenantId: 't1',
        clientId: 'c1',
        clientSecret: '${ENTRA_SECRET}',
        authorityHost: graph.url,
        graphBaseUrl: graph.url,
        groups: { displayNamePrefix: 'rs-' },
        maxRetries: 0,
      },
      mapping: hr.mapping,
    },
    { ...hr, name: 'ops', target: 'graf' },
  ];
  writeFileSync(h.configPath, JSON.stringify(c, null, 2));
  return h.configPath;
}

const good = { CHARTIO_SECRET: SECRET, GRAFANA_TOKEN: DEFAULT_TOKEN, ENTRA_SECRET };
const lines = (s: string) => s.trim().split('\n');
const orgRootCalls = () => h!.emulator.requestLog.filter((r) => r.method === 'GET' && /\/v1\/acme\/?$/.test(r.path));

describe('validate with several profiles', () => {
  it("checks every profile's source and target, one line each, and exits 78 when any credential is refused", async () => {
    const config = await threeProfiles();

    const ok = await runCli(['validate', '--config', config], { env: good });
    expect(ok.code, ok.stderr).toBe(0);
    expect(lines(ok.stdout)).toEqual([
      expect.stringMatching(
        /^config {3}ok {3}\S+ \(3 profile\(s\): hr, sales, ops; targets chart \(chartio\), graf \(grafana\)\)$/,
      ),
      expect.stringMatching(/^profile {2}hr {5}ok {6}source csv ok; target chart: chartio 127\.0\.0\.1:\d+ ok$/),
      expect.stringMatching(/^profile {2}sales {2}ok {6}source entra ok; target chart: chartio 127\.0\.0\.1:\d+ ok$/),
      expect.stringMatching(/^profile {2}ops {4}ok {6}source csv ok; target graf: grafana 127\.0\.0\.1:\d+ ok$/),
      expect.stringMatching(/^redis {4}\S+ {2}ok$/),
    ]);
    // Two profiles share the chartio target: its credentials are tried once.
    expect(orgRootCalls()).toHaveLength(1);

    const bad = await runCli(['validate', '--config', config], {
      env: { ...good, ENTRA_SECRET: 'wrong-entra-61', GRAFANA_TOKEN: 'wrong-grafana-62' },
    });
    expect(bad.code, bad.stderr).toBe(78);
    const [, hr, sales, ops, redis] = lines(bad.stdout);
    expect(hr).toMatch(/^profile {2}hr {5}ok /);
    expect(sales).toMatch(
      /^profile {2}sales {2}FAILED {2}source entra FAILED: entra: authentication failed .*AADSTS7000215.*; fix the environment variable \$ENTRA_SECRET \(read by profiles\.sales\.source\.clientSecret\); target chart: chartio 127\.0\.0\.1:\d+ ok$/,
    );
    expect(ops).toMatch(
      /^profile {2}ops {4}FAILED {2}source csv ok; target graf: grafana 127\.0\.0\.1:\d+ FAILED: targets\.graf\.token: Grafana refused the service-account token \(GET \/api\/org -> 401.*\); fix the environment variable \$GRAFANA_TOKEN \(read by targets\.graf\.token\)$/,
    );
    expect(redis).toMatch(/^redis .* ok$/);
    expect(bad.stdout + bad.stderr).not.toMatch(/wrong-(entra|grafana)/);

    // A target that does not answer, with no refused credential: 69.
    await grafana!.close();
    const down = await runCli(['validate', '--config', config], { env: good });
    expect(down.code).toBe(69);
    expect(lines(down.stdout)[3]).toMatch(/^profile {2}ops {4}FAILED {2}source csv ok; target graf: .* FAILED: /);
    grafana = undefined;

    // --profile checks that profile only.
    const one = await runCli(['validate', '--config', config, '--profile', 'hr'], {
      env: { ...good, ENTRA_SECRET: 'wrong-entra-61' },
    });
    expect(one.code).toBe(0);
    expect(lines(one.stdout).filter((l) => l.startsWith('profile'))).toEqual([
      expect.stringMatching(/^profile {2}hr {2}ok /),
    ]);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../../../src/config/schema.js';

const root = new URL('../../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

/** The Dockerfile's instructions (continuation lines joined), split into stages at FROM. */
function stages(dockerfile: string): { from: string; lines: string[] }[] {
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: { from: string; lines: string[] }[] = [];
  for (const l of lines) {
    if (l.startsWith('FROM ')) out.push({ from: l.slice(5), lines: [] });
    else out.at(-1)?.lines.push(l);
  }
  return out;
}

/** The exec-form (JSON array) value of an instruction in a stage. */
const execForm = (lines: string[], instruction: string): string[] =>
  JSON.parse(
    lines
      .filter((l) => l.startsWith(`${instruction} `))
      .at(-1)!
      .slice(instruction.length + 1),
  ) as string[];

describe('container image', () => {
  const dockerfile = read('Dockerfile');
  const all = stages(dockerfile);
  const runtime = all.at(-1)!;

  it('starts the command the README documents', () => {
    const argv = [...execForm(runtime.lines, 'ENTRYPOINT'), ...execForm(runtime.lines, 'CMD')];
    const documented = /^rostersync (run --config \S+)$/m.exec(read('README.md'))![1]!.split(' ');
    expect(argv).toEqual(['node', 'dist/cli/main.js', ...documented]);
    // dist/cli/main.js is src/cli/main.ts compiled (rootDir src -> outDir dist), the file the
    // `rostersync` bin runs when built.
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(new URL('src/cli/main.ts', root))).toBe(true);
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(read(pkg.bin.rostersync!)).toContain("'dist', 'cli', 'main.js'");
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    // The compose trial runs the same command.
    const compose = parseYaml(read('docker/compose.yaml')) as { services: Record<string, { command?: string[] }> };
    expect(compose.services.rostersync!.command).toEqual(execForm(runtime.lines, 'CMD'));
  });

  it('builds with dev dependencies and runs with production ones only, as a non-root user', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(
      all.some(
        (s) =>
          s.lines.some((l) => /npm ci\b(?!.*--omit=dev)/.test(l)) && s.lines.some((l) => l.includes('npm run build')),
      ),
    ).toBe(true);
    const deps = all.find((s) => s.lines.some((l) => l.includes('npm ci --omit=dev')))!;
    expect(deps).toBeDefined();
    const stageName = / AS (\w+)$/i.exec(deps.from)![1]!;
    expect(runtime.lines).toContain(`COPY --from=${stageName} /app/node_modules ./node_modules`);
    expect(runtime.lines.some((l) => /^COPY --from=\w+ \/app\/dist \.\/dist$/.test(l))).toBe(true);
    expect(runtime.lines).toContain('USER node');
    expect(runtime.lines.find((l) => l.startsWith('HEALTHCHECK '))).toMatch(/CMD \["node", "-e", ".*\/healthz/);
  });

  it('exposes the default daemon port and runs on the Node major CI also tests under', () => {
    const config = configSchema.parse({
      target: { kind: 'chartio', org: 'o', apiKey: 'k', apiSecret: 's' },
      profiles: [{ name: 'p', source: { kind: 'csv', path: 'x.csv' } }],
    });
    expect(runtime.lines).toContain(`EXPOSE ${config.daemon.http.port}`);
    const majors = all.map((s) => /^node:(\d+)-bookworm-slim\b/.exec(s.from)?.[1]);
    expect(new Set(majors).size).toBe(1);
    expect(majors[0]).toBeDefined();
    expect(read('.ci/run')).toMatch(new RegExp(`-p node@${majors[0]} -- node node_modules/vitest/vitest\\.mjs run`));
  });

  it('has a compose trial with Redis as production wants it (AOF, noeviction)', () => {
    const compose = parseYaml(read('docker/compose.yaml')) as {
      services: Record<string, { command?: string[]; ports?: string[] }>;
    };
    const redis = compose.services.redis!.command!.join(' ');
    expect(redis).toContain('--appendonly yes');
    expect(redis).toContain('--maxmemory-policy noeviction');
    for (const s of Object.values(compose.services)) for (const p of s.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
  });

  it('runs rostersync and the emulator read-only, without capabilities and without new privileges', () => {
    const compose = parseYaml(read('docker/compose.yaml')) as {
      services: Record<
        string,
        { read_only?: boolean; cap_drop?: string[]; security_opt?: string[]; tmpfs?: string[]; secrets?: string[] }
      >;
      secrets: Record<string, { file: string }>;
    };
    for (const name of ['rostersync', 'chartio-emulator']) {
      const s = compose.services[name]!;
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toEqual(['ALL']);
      expect(s.security_opt, name).toContain('no-new-privileges:true');
      expect(
        s.tmpfs?.some((t) => t.startsWith('/tmp')),
        name,
      ).toBe(true);
    }
    // The daemon listens on 0.0.0.0 in its container: its status-page token is a compose secret.
    expect(compose.services.rostersync!.secrets).toContain('rostersync_http_token');
    expect(existsSync(new URL(`docker/${compose.secrets.rostersync_http_token!.file}`, root))).toBe(true);
    expect(read('docker/trial/config.yaml')).toMatch(
      /tokenFile: \$\{ROSTERSYNC_HTTP_TOKEN_FILE:-\/run\/secrets\/rostersync_http_token\}/,
    );
  });
});

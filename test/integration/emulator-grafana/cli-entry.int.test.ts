import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startGrafanaEmulatorFromArgs } from '../../../src/emulators/grafana/index.js';
import { api, basic, bearer } from './support.js';

const ROOT = join(import.meta.dirname, '../../..');

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('startGrafanaEmulatorFromArgs', () => {
  it('starts on the given options and logs where it listens without the password or token', async () => {
    const { lines, logger } = capture();
    const emu = await startGrafanaEmulatorFromArgs({
      port: 0,
      version: '10.4.1',
      adminUser: 'root',
      adminPassword: 'very-secret-pw',
      tokens: [{ token: 'glsa_secret_token', orgId: 1, role: 'Admin' }],
      logger,
    });
    try {
      expect((await api(emu, { auth: basic('root', 'very-secret-pw') }).get('org')).status).toBe(200);
      expect((await api(emu, { auth: bearer('glsa_secret_token') }).get('teams/search')).status).toBe(200);
      expect((await api(emu, { auth: null }).get('health')).body.version).toBe('10.4.1');

      const ready = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'grafana emulator ready');
      expect(ready).toMatchObject({
        baseUrl: emu.url,
        version: '10.4.1',
        adminUser: 'root',
        defaultPassword: false,
        tokens: 1,
        rateLimit: false,
      });
      expect(lines.join('\n')).not.toContain('very-secret-pw');
      expect(lines.join('\n')).not.toContain('glsa_secret_token');
    } finally {
      await emu.close();
    }
  });
});

describe('rostersync emulate --target grafana', () => {
  it('serves the Grafana API with the password and token from the environment until SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli/main.ts'),
        'emulate',
        '--target',
        'grafana',
        '--port',
        String(port),
        '--grafana-version',
        '11.0.0',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, GRAFANA_ADMIN_PASSWORD: 'cli-pw', GRAFANA_TOKEN: 'glsa_cli' },
      },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('Grafana emulator') && resolve()),
    );
    const url = `http://127.0.0.1:${port}/api`;

    const org = await fetch(`${url}/org`, { headers: { authorization: basic('admin', 'cli-pw') } });
    const teams = await fetch(`${url}/teams/search`, { headers: { authorization: bearer('glsa_cli') } });
    const bulk = await fetch(`${url}/teams/1/members`, {
      method: 'PUT',
      headers: { authorization: bearer('glsa_cli') },
      body: '{}',
    });

    expect(org.status).toBe(200);
    expect(teams.status).toBe(200);
    expect(bulk.status).toBe(404);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses an unknown target and Chartio-only flags with exit 64', async () => {
    const run = (args: string[]) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'emulate', ...args], {
          cwd: ROOT,
          stdio: 'ignore',
        });
        child.once('exit', (code) => resolve(code));
      });
    expect(await run(['--target', 'looker'])).toBe(64);
    expect(await run(['--target', 'grafana', '--org', 'x'])).toBe(64);
  });
});

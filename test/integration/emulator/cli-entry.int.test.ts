import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorOptionError, startEmulatorFromArgs } from '../../../src/emulators/chartio/index.js';
import { api } from './support.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chartio-emulator-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

describe('startEmulatorFromArgs', () => {
  it('starts on the given options, preloads a JSON file, and logs where it listens without the secret', async () => {
    const file = join(dir, 'org.json');
    await writeFile(
      file,
      JSON.stringify({ teams: [{ name: 'Sales', members: ['a@example.com'] }], dashboards: [{ title: 'KPIs' }] }),
    );
    const { lines, logger } = capture();

    const emu = await startEmulatorFromArgs({
      port: 0,
      org: 'acme',
      apiKey: 'k',
      apiSecret: 'very-secret-value',
      preloadFile: file,
      logger,
    });
    try {
      const res = await api(emu).get('teams');
      expect(res.status).toBe(200);
      expect(res.body.teams.map((t: any) => t.name)).toEqual(['Owners', 'Sales']);
      expect((await api(emu).get('dashboards')).body.count).toBe(1);

      const ready = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'chartio emulator ready');
      expect(ready).toMatchObject({ baseUrl: `${emu.url}/v1`, org: 'acme', apiKey: 'k', defaultSecret: false });
      expect(lines.join('\n')).not.toContain('very-secret-value');
    } finally {
      await emu.close();
    }
  });

  it('rejects a preload file that does not match the schema, naming the path', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ teams: [{ members: ['a@example.com'] }] }));

    await expect(startEmulatorFromArgs({ preloadFile: file, logger: capture().logger })).rejects.toThrow(
      EmulatorOptionError,
    );
    await expect(startEmulatorFromArgs({ preloadFile: file, logger: capture().logger })).rejects.toThrow(/teams\.0/);
  });
});

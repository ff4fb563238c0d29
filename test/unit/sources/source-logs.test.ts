import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openApp } from '../../../src/app/open-app.js';

const SAMPLE = fileURLToPath(new URL('../../../config/sample.yaml', import.meta.url));

describe('source log lines', () => {
  it('carry the profile once: the wiring gives the source a child logger with it', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const app = await openApp(SAMPLE, { log: pino({ level: 'debug' }, sink) });

    await app.source.read({ mode: 'full' });

    const csv = lines.filter((l) => l.includes('"msg":"csv'));
    expect(csv.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['csv groups file read', 'csv read']);
    for (const l of csv) expect(l.match(/"profile":/g)).toEqual(['"profile":']);
    expect(JSON.parse(csv[1]!)).toMatchObject({ profile: 'hr', people: 60 });
  });
});

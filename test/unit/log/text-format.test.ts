import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { formatLogLine, textDestination } from '../../../src/log/text-format.js';
import { chooseLogFormat } from '../../../src/cli/log-format.js';
import { UsageError } from '../../../src/cli/args.js';

describe('formatLogLine', () => {
  it('writes the level, the message and the fields, without pid, hostname and time', () => {
    const line = JSON.stringify({
      level: 40,
      time: 1,
      pid: 7,
      hostname: 'h',
      profile: 'corp',
      reason: 'connect ECONNREFUSED',
      msg: 'no store: planning without identity links',
    });
    expect(formatLogLine(line)).toBe(
      'warn: no store: planning without identity links (profile=corp, reason=connect ECONNREFUSED)\n',
    );
  });

  it('shows an error by its message and other values as JSON', () => {
    const line = JSON.stringify({
      level: 50,
      msg: 'sync failed',
      err: { type: 'Error', message: 'boom', stack: 's' },
      n: [1],
    });
    expect(formatLogLine(line)).toBe('error: sync failed (err=boom, n=[1])\n');
  });

  it('passes a line that is not JSON as it is', () => {
    expect(formatLogLine('plain')).toBe('plain\n');
  });

  it('is a pino destination: one human line per entry, no JSON', () => {
    const out: string[] = [];
    const log = pino({ level: 'info' }, textDestination({ write: (s: string) => out.push(s) }));
    log.child({ profile: 'corp' }).warn({ teams: 2 }, 'something to see');
    expect(out).toEqual(['warn: something to see (profile=corp, teams=2)\n']);
  });
});

describe('chooseLogFormat', () => {
  it('is text on a terminal and JSON otherwise', () => {
    expect(chooseLogFormat(undefined, true)).toBe('text');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat(undefined, undefined)).toBe('json');
  });

  it('follows --log-format whatever stderr is', () => {
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('text', false)).toBe('text');
  });

  it('rejects another value as a usage error', () => {
    expect(() => chooseLogFormat('pretty', true)).toThrow(UsageError);
    expect(() => chooseLogFormat('pretty', true)).toThrow('--log-format expects json or text, got "pretty"');
  });
});

import { describe, expect, it } from 'vitest';
import { oneLine, REASON_WIDTH, renderRunLine } from '../../../src/cli/summary.js';
import type { RunView } from '../../../src/store/run-record.js';

const run = (over: Partial<RunView>): RunView => ({
  runId: 'run-1',
  profile: 'hr',
  trigger: 'schedule',
  mode: 'incremental',
  status: 'succeeded',
  startedAt: '2026-12-06T10:00:00.000Z',
  planned: {},
  totalOps: 0,
  warnings: 0,
  counts: {},
  done: 0,
  failures: [],
  ...over,
});

describe('rostersync status: one line per run', () => {
  it('says why a run failed before applying, from its error', () => {
    const line = renderRunLine(
      run({ status: 'failed', error: 'SOURCE_UNREACHABLE: ldap://ldap:389 refused the connection' }),
    );

    expect(line).toMatch(
      /failed\s+0\/0\s+ops {2}0 failed {2}error: SOURCE_UNREACHABLE: ldap:\/\/ldap:389 refused the connection$/,
    );
  });

  it('keeps a long or multi-line error to one line of at most REASON_WIDTH characters', () => {
    const error = `invalid config /etc/rostersync.yaml (2 problems):\n  a: unknown key\n  ${'b'.repeat(200)}`;

    const line = renderRunLine(run({ status: 'failed', error }));

    const reason = line.split('error: ')[1]!;
    expect(line).not.toContain('\n');
    expect(reason).toHaveLength(REASON_WIDTH);
    expect(reason).toMatch(/^invalid config \/etc\/rostersync\.yaml \(2 problems\): a: unknown key b+…$/);
  });

  it("names the first failed op's reason when the ops failed", () => {
    const line = renderRunLine(
      run({
        status: 'partial',
        totalOps: 3,
        done: 3,
        counts: { 'add-member.applied': 2, 'add-member.failed': 1 },
        failures: [{ opKey: 'add-member:a', reason: 'HTTP 403 Forbidden' }],
      }),
    );

    expect(line).toMatch(/partial\s+3\/3\s+ops {2}1 failed {2}first failure: HTTP 403 Forbidden$/);
  });

  it('adds nothing to a run that succeeded, and keeps the blocking guard of a blocked one', () => {
    expect(renderRunLine(run({ totalOps: 2, done: 2 }))).toMatch(/succeeded\s+2\/2\s+ops {2}0 failed$/);
    expect(renderRunLine(run({ status: 'blocked', blocked: { code: 'MAX_DELETES', reason: 'too many' } }))).toMatch(
      /0 failed {2}blocked: MAX_DELETES$/,
    );
  });

  it('oneLine leaves a short text alone', () => {
    expect(oneLine('  short\treason ', 120)).toBe('short reason');
  });
});

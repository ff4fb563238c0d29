import { describe, expect, it } from 'vitest';
import { notifyState } from '../../../src/notify/notify-run.js';
import { webhookBody, type NotifyEvent } from '../../../src/notify/webhook.js';
import type { RunView } from '../../../src/store/run-record.js';

const run = (over: Partial<RunView>): RunView => ({
  runId: 'hr-1',
  profile: 'hr',
  trigger: 'schedule',
  mode: 'full',
  status: 'succeeded',
  startedAt: '2026-11-22T02:00:00.000Z',
  planned: {},
  totalOps: 0,
  warnings: 0,
  counts: {},
  done: 0,
  failures: [],
  ...over,
});

describe('notification states', () => {
  it('keys a blocked run by its id, so each run waiting for a decision is news and a waiting tick is not', () => {
    expect(notifyState(run({ status: 'blocked', approval: { state: 'pending', expiresAt: 'x' } }))).toBe(
      'blocked:hr-1',
    );
    expect(notifyState(run({ status: 'blocked', approval: { state: 'rejected', expiresAt: 'x' } }))).toBe('rejected');
    // A blocked run with no approval (a blocked backfill while another waits) changes nothing.
    expect(notifyState(run({ status: 'blocked' }))).toBeUndefined();
    expect(notifyState(run({ status: 'running' }))).toBeUndefined();
    expect(notifyState(run({ status: 'succeeded' }))).toBe('ok');
    expect(notifyState(run({ status: 'partial' }))).toBe('partial');
    expect(notifyState(run({ status: 'failed' }))).toBe('failed');
  });

  it('shapes a Slack-compatible body as text with a link, a generic one as the event', () => {
    const e: NotifyEvent = {
      event: 'blocked',
      profile: 'hr',
      runId: 'hr-1',
      status: 'blocked',
      text: 'rostersync: blocked',
      link: 'https://rs.example/runs/hr/hr-1',
      at: 'now',
      planned: { deleteUser: 3 },
      failed: 0,
    };
    expect(JSON.parse(webhookBody('slack', e))).toEqual({
      text: 'rostersync: blocked <https://rs.example/runs/hr/hr-1|Open run hr-1>',
    });
    expect(JSON.parse(webhookBody('json', e))).toEqual(e);
  });
});

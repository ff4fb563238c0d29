import { describe, expect, it } from 'vitest';
import { notifyState } from '../../../src/notify/notify-run.js';
import { escapeSlack, webhookBody, type NotifyEvent } from '../../../src/notify/webhook.js';
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

  it('escapes &, < and > in every value a Slack message carries, so error texts cannot ping, mention or link', () => {
    const hostile = [
      '<!channel> LDAP said: 49 invalid credentials',
      '<!here|here> <@U024BE7LH> <#C024BE7LR>',
      'see <http://evil.example/phish|your SSO login> now',
      'R&D <b>bold</b> &lt;already&gt; & done',
    ];
    for (const error of hostile) {
      const e: NotifyEvent = {
        event: 'failed',
        profile: 'hr',
        runId: 'hr-1<!channel>',
        status: 'failed',
        text: `rostersync: profile hr, run hr-1 failed before applying: ${error}.`,
        link: 'https://rs.example/runs/hr/hr-1?a=1&b=<2>',
        at: 'now',
        planned: {},
        failed: 0,
      };
      const { text } = JSON.parse(webhookBody('slack', e)) as { text: string };
      // The only control characters left are the one link the message means to send.
      expect(text.match(/[<>]/g)).toEqual(['<', '>']);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(text).toContain(escapeSlack(error));
      expect(text.endsWith('<https://rs.example/runs/hr/hr-1?a=1&amp;b=&lt;2&gt;|Open run hr-1&lt;!channel&gt;>')).toBe(
        true,
      );
      // A JSON hook gets the text as it is: escaping is Slack's markup, not the event's.
      expect((JSON.parse(webhookBody('json', e)) as NotifyEvent).text).toContain(error);
    }
    expect(escapeSlack('<!channel> & <http://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    expect(escapeSlack('&lt;')).toBe('&amp;lt;');
  });
});

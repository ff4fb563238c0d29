import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';

/** What a notification says, before a webhook kind shapes it. Built from the run record only (no config, no secrets). */
export interface NotifyEvent {
  event: 'blocked' | 'failed' | 'partial' | 'recovered';
  profile: string;
  runId: string;
  status: string;
  /** One line for people: what happened and what to do. */
  text: string;
  link: string;
  at: string;
  planned: Record<string, number>;
  failed: number;
  blocked?: { code: string; reason: string };
  expiresAt?: string;
}

/** A message whose body is made already (an audit batch): sent as it is, whatever the hook's kind. */
export interface WebhookMessage {
  event: string;
  runId: string;
  body: string;
}

/** What a webhook needs to send: a notification hook, or the audit stream's (no kind, no events filter). */
export type WebhookTarget = Pick<WebhookConfig, 'url' | 'attempts' | 'timeoutMs' | 'deadlineMs'> & {
  kind?: WebhookConfig['kind'];
};

/**
 * Slack's mrkdwn control characters, escaped as its docs ask (`&amp;`, `&lt;`, `&gt;`, nothing
 * else): a target's or a directory's error text can then never ping (`<!channel>`), mention a user
 * (`<@U123>`) or show a link of its own (`<http://x|y>`).
 */
export const escapeSlack = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Slack (and Mattermost, Rocket.Chat) incoming webhooks take `text` with `<url|label>` links, every
 * interpolated value escaped; others get the event itself, unescaped (JSON needs no escaping).
 */
export function webhookBody(kind: WebhookConfig['kind'], e: NotifyEvent): string {
  if (kind === 'slack')
    return JSON.stringify({
      text: `${escapeSlack(e.text)} <${escapeSlack(e.link)}|Open run ${escapeSlack(e.runId)}>`,
    });
  return JSON.stringify(e);
}

/** The host alone: a webhook URL's path usually is its secret, so it is never logged. */
const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return '(bad url)';
  }
};

export interface SendOptions {
  /** First pause between tries, doubled each time. @defaultValue 500 */
  baseDelayMs?: number;
  /** Aborted when the process stops: the message is abandoned at once. */
  signal?: AbortSignal;
}

/**
 * POSTs one message; a redirect (3xx) is not followed and not retried: the URL is wrong, and
 * following it would send the message (and its secrets' neighbours) to another place than the one
 * configured. Retries a network error, 429 or 5xx up to `attempts` times with backoff
 * (Retry-After honoured up to 30 s), each try bounded by `timeoutMs` and all of them together by
 * `deadlineMs`: past it (or once `signal` aborts) the message is abandoned with a warning. Never
 * throws: a notification that cannot be sent must not fail the run it reports. Returns whether the
 * receiver took it.
 */
export async function sendWebhook(
  hook: WebhookTarget,
  e: NotifyEvent | WebhookMessage,
  log: Logger,
  opts: SendOptions = {},
): Promise<boolean> {
  const body = 'body' in e ? e.body : webhookBody(hook.kind ?? 'json', e);
  const host = hostOf(hook.url);
  const deadline = AbortSignal.timeout(hook.deadlineMs);
  const giveUp = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const abandoned = (tries: number) => {
    log.warn(
      {
        host,
        tries,
        deadlineMs: hook.deadlineMs,
        reason: deadline.aborted ? 'deadline' : 'stopping',
        event: e.event,
        runId: e.runId,
      },
      'notification abandoned: not delivered in time',
    );
    return false;
  };
  for (let attempt = 1; attempt <= hook.attempts; attempt += 1) {
    if (giveUp.aborted) return abandoned(attempt - 1);
    let wait = (opts.baseDelayMs ?? 500) * 2 ** (attempt - 1);
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(hook.timeoutMs), giveUp]),
        // 'error' would throw like a network error, and be retried as one.
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return true;
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        log.error(
          { host, status: res.status, event: e.event, runId: e.runId },
          `notification refused by the webhook: it answered ${res.status || 'a redirect'} and redirects are not followed (set notify[].url to the final URL): not retried`,
        );
        return false;
      }
      if (res.status !== 429 && res.status < 500) {
        log.error(
          { host, status: res.status, event: e.event, runId: e.runId },
          'notification refused by the webhook: not retried',
        );
        return false;
      }
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) wait = Math.min(after * 1000, 30_000);
      log.warn({ host, status: res.status, attempt, event: e.event }, 'notification not taken: retrying');
    } catch (err) {
      if (giveUp.aborted) return abandoned(attempt);
      log.warn({ host, err: (err as Error).name, attempt, event: e.event }, 'notification not sent: retrying');
    }
    if (attempt < hook.attempts) {
      const waited = await sleep(wait, true, { signal: giveUp }).catch(() => false);
      if (!waited) return abandoned(attempt);
    }
  }
  log.error(
    { host, attempts: hook.attempts, event: e.event, runId: e.runId },
    'notification dropped after its retries',
  );
  return false;
}

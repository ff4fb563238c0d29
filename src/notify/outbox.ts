import type { Logger } from '../log/logger.js';
import { sendWebhook, type NotifyEvent, type WebhookMessage, type WebhookTarget } from './webhook.js';

/**
 * Sends notifications apart from the run that reports them: post() returns at once, so neither the
 * run's record nor its profile lock ever waits for a receiver (one that never answers held the lock
 * for up to `attempts` x `timeoutMs` before). Each message is bounded by its hook's `deadlineMs`.
 * Messages to one webhook leave in the order they were posted: each waits for the one before it.
 * One outbox per runtime; close() gives the messages in flight a last bound, then abandons them.
 */
export class Outbox {
  private readonly tails = new Map<string, Promise<boolean>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(private readonly log: Logger) {}

  /** Starts sending `e` to each hook; the promise (for tests and logs) says which receivers took it. Never rejects. */
  post(hooks: readonly WebhookTarget[], e: NotifyEvent | WebhookMessage): Promise<boolean[]> {
    const sends = hooks.map((hook) => {
      const before = this.tails.get(hook.url) ?? Promise.resolve(true);
      const send = before.then(() => sendWebhook(hook, e, this.log, { signal: this.stopping.signal }));
      this.tails.set(hook.url, send);
      void send.then(() => this.tails.get(hook.url) === send && this.tails.delete(hook.url));
      return send;
    });
    const all = Promise.all(sends);
    this.inFlight.add(all);
    void all.then(() => this.inFlight.delete(all));
    return all;
  }

  /** Waits up to `ms` for the messages in flight, then abandons the rest (each logs that it was). */
  async close(ms: number): Promise<void> {
    if (this.inFlight.size > 0)
      await Promise.race([Promise.all(this.inFlight), new Promise((r) => setTimeout(r, ms).unref())]);
    this.stopping.abort();
    await Promise.all(this.inFlight);
  }
}

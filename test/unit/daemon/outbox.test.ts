import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '../../../src/config/schema.js';
import { Outbox } from '../../../src/notify/outbox.js';
import { sendWebhook, type NotifyEvent } from '../../../src/notify/webhook.js';

const event = (name: NotifyEvent['event']): NotifyEvent => ({
  event: name,
  profile: 'hr',
  runId: 'hr-1',
  status: 'x',
  text: 't',
  link: 'http://l',
  at: 'now',
  planned: {},
  failed: 0,
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A receiver on loopback: `answer` decides, per request body, after how long it answers 200 (undefined: never). */
async function receiver(answer: (body: string) => number | undefined): Promise<{ url: string; got: string[] }> {
  const got: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push((JSON.parse(body) as NotifyEvent).event);
      const ms = answer(body);
      if (ms !== undefined) setTimeout(() => res.writeHead(200).end(), ms);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`, got };
}

const hook = (url: string, over: Partial<WebhookConfig> = {}): WebhookConfig => ({
  kind: 'json',
  url,
  on: ['blocked', 'failed', 'partial', 'recovered'],
  attempts: 3,
  timeoutMs: 5000,
  deadlineMs: 30_000,
  ...over,
});

function capture() {
  const lines: { msg: string; reason?: string }[] = [];
  return { lines, log: pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) };
}

describe('the notification outbox', () => {
  it('returns at once and keeps the order of messages to one webhook, the second waiting for the first', async () => {
    const r = await receiver((body) => (body.includes('"failed"') ? 300 : 0));
    const outbox = new Outbox(capture().log);
    const t0 = Date.now();
    const first = outbox.post([hook(r.url)], event('failed'));
    const second = outbox.post([hook(r.url)], event('recovered'));
    expect(Date.now() - t0).toBeLessThan(50);
    expect(await Promise.all([first, second])).toEqual([[true], [true]]);
    expect(r.got).toEqual(['failed', 'recovered']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it('abandons a message to a receiver that never answers at its deadline, whatever attempts and timeoutMs allow', async () => {
    const r = await receiver(() => undefined);
    const { lines, log } = capture();
    const outbox = new Outbox(log);
    const t0 = Date.now();
    const taken = await outbox.post(
      [hook(r.url, { attempts: 10, timeoutMs: 30_000, deadlineMs: 1000 })],
      event('failed'),
    );
    const ms = Date.now() - t0;
    expect(taken).toEqual([false]);
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(2000);
    expect(r.got).toEqual(['failed']);
    expect(lines).toMatchObject([{ msg: 'notification abandoned: not delivered in time', reason: 'deadline' }]);
  });

  it('close() waits its bound for messages in flight, then abandons them', async () => {
    const r = await receiver(() => undefined);
    const { lines, log } = capture();
    const outbox = new Outbox(log);
    void outbox.post([hook(r.url)], event('blocked'));
    const t0 = Date.now();
    await outbox.close(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(lines).toMatchObject([{ msg: 'notification abandoned: not delivered in time', reason: 'stopping' }]);
  });

  it.each([301, 302, 307, 308])(
    'takes a %i as a permanent failure: one try, not followed, the status named',
    async (status) => {
      let tries = 0;
      let followed = 0;
      const server = createServer((req, res) => {
        req.resume();
        if (req.url === '/elsewhere') {
          followed += 1;
          return void res.writeHead(200).end();
        }
        tries += 1;
        res.writeHead(status, { location: '/elsewhere' }).end();
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`;
      const lines: { msg: string; status?: number }[] = [];
      const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
      const taken = await sendWebhook(hook(url, { attempts: 3 }), event('failed'), log, { baseDelayMs: 1 });
      expect(taken).toBe(false);
      expect(tries).toBe(1);
      expect(followed).toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.status).toBe(status);
      expect(lines[0]!.msg).toContain(`answered ${status} and redirects are not followed`);
    },
  );
});

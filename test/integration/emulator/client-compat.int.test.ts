import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { TargetHttpError } from '../../../src/errors/index.js';
import { ChartioClient, readActual } from '../../../src/targets/chartio/index.js';

/** The project's own Chartio client reads and writes the emulator as it would the real API. */
let emu: ChartioEmulator;
const clientFor = (e: ChartioEmulator, overrides: Partial<ConstructorParameters<typeof ChartioClient>[0]> = {}) =>
  new ChartioClient({
    baseUrl: `${e.url}/v1`,
    org: e.options.org,
    apiKey: e.options.apiKey,
    apiSecret: e.options.apiSecret,
    timeoutMs: 5_000,
    backoffMs: 1,
    ...overrides,
  });

beforeAll(async () => {
  const users = Array.from({ length: 249 }, (_, i) => `u${i}@example.com`);
  emu = await createChartioEmulator({
    rateLimit: false,
    preload: { teams: [{ name: 'All', members: users }, 'Empty'] },
  });
});
afterAll(() => emu.close());

describe('rostersync Chartio client against the emulator', () => {
  it('reads every user and team through HAL pagination, complete by count', async () => {
    const { actual, requests } = await readActual(clientFor(emu));

    expect(actual.users).toHaveLength(250);
    expect(actual.teams.map((t) => t.name)).toEqual(['Owners', 'All', 'Empty']);
    expect(actual.teams[1]?.memberIds).toHaveLength(249);
    expect(requests).toBe(3 + 1);
  });

  it('with hrefBase /v1 the hrefs resolve the same way', async () => {
    emu.setOptions({ hrefBase: '/v1' });
    try {
      const { actual } = await readActual(clientFor(emu));
      expect(actual.users).toHaveLength(250);
    } finally {
      emu.setOptions({ hrefBase: '' });
    }
  });

  it('surfaces the API message and status of an error answer, without the secret', async () => {
    const err = await clientFor(emu)
      .send('POST', 'teams', { name: 'all' })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TargetHttpError);
    expect((err as TargetHttpError).status).toBe(409);
    expect((err as TargetHttpError).apiMessage).toBe('A team with the same name already exists.');
    expect((err as Error).message).not.toContain(emu.options.apiSecret);
  });

  it('a 429 carries Retry-After in milliseconds to the client', async () => {
    const limited = await createChartioEmulator({ rateLimit: { max: 1, windowMs: 10_000 } });
    try {
      const client = clientFor(limited, { readAttempts: 1 });
      await client.send('GET', 'users');
      const err = (await client.send('GET', 'users').catch((e: unknown) => e)) as TargetHttpError;
      expect(err.status).toBe(429);
      expect(err.retryAfterMs).toBe(10_000);
    } finally {
      await limited.close();
    }
  });
});

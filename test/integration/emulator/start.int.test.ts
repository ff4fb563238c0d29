import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type ServedOptions, type StartedEmulator } from '../../../src/emulators/index.js';

interface ToyOptions extends ServedOptions {
  greeting: string;
}
type Toy = StartedEmulator<ToyOptions> & { readonly state: { hits: number }; readonly changes: number };

/** The smallest emulator: counts hits, answers its greeting. */
function startToy(input: object): Promise<Toy> {
  let changes = 0;
  return startEmulator<ToyOptions, { hits: number }, { readonly state: { hits: number }; readonly changes: number }>(
    {
      name: 'toy',
      defaults: () => ({ greeting: 'hello', rateLimit: { max: 2, windowMs: 60_000 } }),
      initialState: () => ({ hits: 0 }),
      hooks: (reset) => ({
        name: 'toy',
        rateLimited: (retryAfter) => ({ status: 429, body: { slow: true }, headers: { 'retry-after': retryAfter } }),
        serverError: (status) => ({ status, body: { oops: true } }),
        reset,
      }),
      dispatch: (live) => () => {
        live.state().hits++;
        return { status: 200, body: { greeting: live.options().greeting } };
      },
      urlPath: '/api',
      optionsChanged: () => changes++,
      expose: (live) => ({
        get state() {
          return live.state();
        },
        get changes() {
          return changes;
        },
      }),
    },
    input,
  );
}

describe('startEmulator', () => {
  let toy: Toy | undefined;
  afterEach(async () => {
    await toy?.close();
    toy = undefined;
  });

  it('serves the pipeline on 127.0.0.1 with the shared knobs, control endpoints and live members', async () => {
    toy = await startToy({ greeting: 'hi' });
    expect(toy.url).toBe(`http://127.0.0.1:${toy.port}/api`);
    const get = () => fetch(toy!.url);
    expect(await (await get()).json()).toEqual({ greeting: 'hi' });
    await get();
    expect((await get()).status).toBe(429);
    expect(toy.state.hits).toBe(2);
    expect(toy.stats()).toMatchObject({ requests: 3, rateLimited: 1 });
    expect(toy.requestLog.map((e) => e.status)).toEqual([200, 200, 429]);

    const base = toy.url.replace(/\/api$/, '');
    expect((await fetch(`${base}/_emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(toy.state.hits).toBe(0);
    expect(toy.requestLog).toEqual([]);

    toy.setOptions({ greeting: 'hey', rateLimit: false });
    expect(toy.changes).toBe(1);
    expect(await (await get()).json()).toEqual({ greeting: 'hey' });
    expect(() => toy!.setOptions({ port: 1 })).toThrow('port and host cannot change while listening');
    expect(() => toy!.setOptions({ errorRate: 3 })).toThrow(/^errorRate:/);
    expect(toy.options.errorRate).toBe(0);
  });

  it('refuses bad options before listening', async () => {
    await expect(startToy({ port: -1 })).rejects.toThrow('port: expected an integer >= 0, got -1');
  });
});

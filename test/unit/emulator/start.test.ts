import { describe, expect, it } from 'vitest';
import {
  EmulatorOptionError,
  checkInt,
  resolveEmulatorOptions,
  type OptionParts,
  type ServedOptions,
} from '../../../src/emulators/index.js';

interface ToyOptions extends ServedOptions {
  pageSize: number;
}

const toy: OptionParts<ToyOptions> = {
  defaults: () => ({ pageSize: 10, rateLimit: false }),
  check: (o) => checkInt('pageSize', o.pageSize, 1),
};

describe('resolveEmulatorOptions (the one start-up)', () => {
  it('gives the shared defaults, port 0 and 127.0.0.1 under the emulator own defaults and the input', () => {
    const o = resolveEmulatorOptions(toy, { pageSize: 5, errorRate: 0.5, latencyMs: undefined });
    expect(o).toMatchObject({ port: 0, host: '127.0.0.1', pageSize: 5, errorRate: 0.5, latencyMs: 0, seed: 1 });
    expect(o.rateLimit).toBe(false);
  });

  it('checks port, then the shared knobs, then the emulator own options', () => {
    expect(() => resolveEmulatorOptions(toy, { port: -1, errorRate: 2, pageSize: 0 })).toThrow(
      'port: expected an integer >= 0, got -1',
    );
    expect(() => resolveEmulatorOptions(toy, { errorRate: 2, pageSize: 0 })).toThrow(/^errorRate:/);
    expect(() => resolveEmulatorOptions(toy, { pageSize: 0 })).toThrow(EmulatorOptionError);
  });

  it('a live change merges over the current options, not the defaults', () => {
    const current = resolveEmulatorOptions(toy, { pageSize: 7, seed: 3 });
    expect(resolveEmulatorOptions(toy, { errorRate: 0.1 }, current)).toMatchObject({
      pageSize: 7,
      seed: 3,
      errorRate: 0.1,
    });
  });
});

import { describe, expect, it } from 'vitest';
import {
  EmulatorOptionError,
  EmulatorRuntime,
  FaultDice,
  SlidingWindowLimiter,
  checkFaultOptions,
  faultDefaults,
  mergeDefined,
  type FaultOptions,
} from '../../../src/emulators/index.js';
import { parseVersion, versionAtLeast } from '../../../src/emulators/grafana/options.js';

const base = (): FaultOptions => ({ ...faultDefaults(), rateLimit: false });

describe('shared option checks', () => {
  it('names the key and the expected value', () => {
    const bad = (patch: Partial<FaultOptions>) => () => checkFaultOptions({ ...base(), ...patch } as FaultOptions);
    expect(bad({ errorRate: 1.5 })).toThrow('errorRate: expected a number in [0, 1], got 1.5');
    expect(bad({ latencyMs: [5, 1] })).toThrow(/latencyMs: expected ms >= 0 or \[min, max\]/);
    expect(bad({ rateLimit: { max: 0, windowMs: 1 } })).toThrow('rateLimit.max: expected an integer >= 1, got 0');
    expect(bad({ seed: Number.NaN })).toThrow(EmulatorOptionError);
    expect(() => checkFaultOptions(base())).not.toThrow();
  });

  it('mergeDefined keeps base values for undefined keys', () => {
    expect(mergeDefined({ a: 1, b: 2 }, { a: undefined, b: 3 })).toEqual({ a: 1, b: 3 });
  });
});

describe('SlidingWindowLimiter', () => {
  it('refuses the request over max in the window and names when a slot frees', () => {
    let t = 0;
    const limiter = new SlidingWindowLimiter({ max: 2, windowMs: 1000 }, () => t);
    expect(limiter.take('a').ok).toBe(true);
    t = 400;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 600 });
    expect(limiter.take('b').ok).toBe(true);
    t = 1001;
    expect(limiter.take('a').ok).toBe(true);
  });
});

describe('FaultDice', () => {
  it('replays the same draws for the same seed', () => {
    const opts = { ...base(), errorRate: 0.5 };
    const draw = () => {
      const dice = new FaultDice(() => opts);
      return Array.from({ length: 20 }, () => dice.error() ?? 0);
    };
    expect(draw()).toEqual(draw());
  });
});

describe('EmulatorRuntime', () => {
  it('setOptions validates through the resolver and changes nothing on error', () => {
    const resolve = (p: object, b: FaultOptions) => {
      const o = mergeDefined(b, p);
      checkFaultOptions(o);
      return o;
    };
    const rt = new EmulatorRuntime(base(), resolve);
    expect(() => rt.setOptions({ resetRate: 2 })).toThrow(EmulatorOptionError);
    expect(rt.options.resetRate).toBe(0);
    rt.setOptions({ rateLimit: { max: 1, windowMs: 10 } });
    expect(rt.limiter()).toBeDefined();
  });

  it('record keeps the log bounded by dropping a tenth at a time', () => {
    const rt = new EmulatorRuntime({ ...base(), maxLogEntries: 10 }, (p, b) => mergeDefined(b, p));
    for (let i = 0; i < 11; i++)
      rt.record({ method: 'GET', path: `/${i}`, status: 200, timestamp: i, applied: false, ip: 'x' }, 'test');
    expect(rt.log.map((e) => e.path)).toEqual(['/2', '/3', '/4', '/5', '/6', '/7', '/8', '/9', '/10']);
    expect(rt.statsSnapshot().byStatus).toEqual({ 200: 11 });
  });
});

describe('Grafana version gating helpers', () => {
  it('compares MAJOR.MINOR.PATCH numerically and refuses other shapes', () => {
    expect(versionAtLeast('11.10.0', '11.1.0')).toBe(true);
    expect(versionAtLeast('11.0.9', '11.1.0')).toBe(false);
    expect(versionAtLeast('11.1.0-pre', '11.1.0')).toBe(true);
    expect(() => parseVersion('eleven')).toThrow(/version: expected MAJOR.MINOR.PATCH/);
  });
});

describe('FixedWindowLimiter', () => {
  it('counts per key in epoch-aligned windows and says when the window resets', async () => {
    const { FixedWindowLimiter } = await import('../../../src/emulators/index.js');
    let t = 10_500;
    const limiter = new FixedWindowLimiter({ max: 2, windowMs: 1000, fixed: true }, () => t);
    expect(limiter.take('k1').ok).toBe(true);
    expect(limiter.take('k1').ok).toBe(true);
    expect(limiter.take('k2').ok).toBe(true);
    expect(limiter.take('k1')).toEqual({ ok: false, retryAfterMs: 500 });
    expect(limiter.window('k1')).toEqual({ limit: 2, remaining: 0, resetAtMs: 11_000 });
    t = 11_000;
    expect(limiter.window('k1')).toEqual({ limit: 2, remaining: 2, resetAtMs: 12_000 });
    expect(limiter.take('k1').ok).toBe(true);
  });
});

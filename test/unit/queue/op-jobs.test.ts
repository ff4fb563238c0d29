import { describe, expect, it } from 'vitest';
import { opJobId, opJobOptions } from '../../../src/queue/op-jobs.js';

describe('op job ids', () => {
  it("are <profile>.<planId>.<opKey> for the planner's keys", () => {
    expect(opJobId('hr', 'p0123456789abcde', { key: 'add.12.new-group~3a~x' })).toBe(
      'hr.p0123456789abcde.add.12.new-group~3a~x',
    );
  });

  it('keep two profiles with the same plan apart', () => {
    expect(opJobId('east', 'p1', { key: 'k' })).not.toBe(opJobId('west', 'p1', { key: 'k' }));
  });

  it('never hold a colon (BullMQ 6 rejects it) and stay one-to-one', () => {
    const ids = ['a:b', 'a%3Ab', 'a%b', 'a_b'].map((key) => opJobId('hr', 'p1', { key }));
    expect(ids.every((id) => !id.includes(':'))).toBe(true);
    expect(new Set(ids).size).toBe(4);
  });

  it('are never all digits, even for a numeric plan id and key', () => {
    expect(opJobId('1', '123', { key: '456' })).not.toMatch(/^\d+$/);
  });
});

describe('op job options', () => {
  it('retry transient failures with exponential backoff and jitter, and keep no finished job', () => {
    expect(opJobOptions({ attempts: 8, backoffMs: 1000 })).toEqual({
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: true,
    });
  });
});

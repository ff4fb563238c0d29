import { describe, expect, it } from 'vitest';
import { crossSlotProblems, keyLayout, keySlot } from '../../../src/store/key-slots.js';

describe('key slots', () => {
  it('computes Redis Cluster slots (CRC16 XMODEM mod 16384), honouring the first non-empty hash tag', () => {
    expect(keySlot('123456789')).toBe(0x31c3); // the CRC16/XMODEM check value
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}')); // empty tag: the whole key
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
  });

  it("rostersync's layout keeps every group in one slot, whatever the prefix and profile names", () => {
    const layout = keyLayout(
      'rs-prod_1',
      ['hr', 'Sales-EU', 'x_1'].map((name) => ({ name, sourceState: [`kept:${name}:snapshot`, 'delta:state'] })),
      ['ops', 'syncs'],
      ['chartio.com/acme', 'grafana:3000'],
    );
    expect(layout.length).toBe(7);
    expect(crossSlotProblems(layout)).toEqual([]);
  });

  it("lists each profile's source state keys, under the profile's hash tag", () => {
    const [group] = keyLayout('rs', [{ name: 'hr', sourceState: ['kept:one', 'kept:two'] }], [], []);
    expect(group!.keys).toEqual(expect.arrayContaining(['rs:{rs:hr}:kept:one', 'rs:{rs:hr}:kept:two']));
  });

  it('names a group whose keys would cross slots, with the keys and their slots', () => {
    const problems = crossSlotProblems([{ name: 'profile hr', keys: ['rs:{rs:hr}:links:users', 'rs:hr:cursor'] }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^profile hr: keys rs:\{rs:hr\}:links:users \(slot \d+\), rs:hr:cursor \(slot \d+\) are in 2 slots/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { compileConditions, type ConditionContext } from '../../../src/mapping/conditions.js';
import type { Person } from '../../../src/model/index.js';

const person = (id: string, attributes: Record<string, string[]>): Person => ({
  sourceId: id,
  email: `${id}@x.com`,
  displayName: id,
  enabled: true,
  groupIds: [],
  attributes,
});
const ctx: ConditionContext = { groups: () => new Set(), now: 0, timeZone: 'UTC' };

describe('conditions', () => {
  it('give each person their own answer when values repeat (answers are remembered per value)', () => {
    const departments = ['Sales', 'Legal', 'sales', 'Sales', 'SALES', 'Legal', 'Sales', 'Finance', 'Sales'];
    const people = departments.map((d, i) => person(`p${i}`, { department: [d] }));
    const cases: [Parameters<typeof compileConditions>[0], boolean[]][] = [
      [[{ attribute: 'department', in: ['sales'] }], departments.map((d) => d.toLowerCase() === 'sales')],
      [[{ attribute: 'department', notIn: ['sales'] }], departments.map((d) => d.toLowerCase() !== 'sales')],
      [[{ attribute: 'department', equals: 'LEGAL' }], departments.map((d) => d === 'Legal')],
      [[{ attribute: 'department', notEquals: 'legal' }], departments.map((d) => d !== 'Legal')],
      [[{ attribute: 'department', matches: '^S' }], departments.map((d) => d.startsWith('S'))],
    ];
    for (const [conditions, expected] of cases) {
      const test = compileConditions(conditions);
      // Twice through: the second pass answers from what the first remembered.
      for (let pass = 0; pass < 2; pass++)
        expect(
          people.map((p) => test(p, ctx) === true),
          JSON.stringify(conditions),
        ).toEqual(expected);
    }
  });

  it('a multi-valued attribute meets `in` when any value does and `notIn` only when none does', () => {
    const both = person('a', { office: ['Paris', 'Tokyo'] });
    expect(compileConditions([{ attribute: 'office', in: ['tokyo'] }])(both, ctx)).toBe(true);
    expect(compileConditions([{ attribute: 'office', notIn: ['tokyo'] }])(both, ctx)).toEqual({
      condition: 'office not in [tokyo]',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { makePlan } from '../../../src/plan/make-plan.js';
import { joinReasons } from '../../../src/plan/reasons.js';
import { renderPlanText } from '../../../src/plan/render.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';
import { actual, desired, input } from './builders.js';

describe('joinReasons', () => {
  it('says each distinct reason once, with how many ops gave it', () => {
    expect(joinReasons(['gone', 'gone', 'moved', 'gone'])).toBe('gone (x3); moved');
  });

  it('shows the first three distinct reasons, then an ellipsis', () => {
    expect(joinReasons(['a', 'b', 'b', 'c', 'd'])).toBe('a; b (x2); c; …');
    expect(joinReasons(['a', 'b', 'c'])).toBe('a; b; c');
  });
});

describe('a folded op emptying a team whose group is gone', () => {
  it('gives the reason once with its count, and the warning names who is kept', () => {
    const people = ['a@corp.com', 'b@corp.com', 'c@corp.com'];
    const given = input(
      desired(Object.fromEntries(people.map((p) => [p, ['Eng']]))),
      actual({ Eng: people, Old: [...people, 'gone@corp.com'] }),
      {
        links: {
          users: new Map(),
          teams: new Map([['group:g-old', 't-Old']]),
          granted: new Set(),
          teamGroups: new Map([['group:g-old', 'Old Group']]),
        },
        capabilities: { ...CHARTIO_CAPABILITIES, membership: 'whole-container' },
      },
    );

    const { plan } = makePlan(given);
    const text = renderPlanText(plan);

    const set = plan.phases.flat().find((o) => o.kind === 'setMembers');
    expect(set?.reason).toBe('0 to add, 3 to remove: group "Old Group" is gone: team "Old" emptied (x3)');
    expect(text).toContain('-- 0 to add, 3 to remove: group "Old Group" is gone: team "Old" emptied (x3)');
    expect(text).toMatch(/! group "Old Group" is gone: team "Old" emptied \(3 removed; 1 kept: gone@corp\.com\)$/m);
    expect(text).not.toContain('warnings above');
  });
});

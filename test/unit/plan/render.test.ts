import { describe, expect, it } from 'vitest';
import { makePlan } from '../../../src/plan/make-plan.js';
import { renderPlanText } from '../../../src/plan/render.js';
import { actual, desired, input } from './builders.js';

describe('renderPlanText', () => {
  it('shows counts per op type, ops with reasons, the estimate and readiness', () => {
    const { plan } = makePlan(input(desired({ 'a@corp.com': ['Eng', 'Data'] }), actual({})));
    const text = renderPlanText(plan);
    expect(text).toMatch(/createTeam\s+2/);
    expect(text).toMatch(/createUser\s+1/);
    expect(text).toMatch(/total\s+4/);
    expect(text).toContain('create user a@corp.com on "Data"  -- in the directory, not in the target');
    expect(text).toMatch(/Estimate: 4 write calls \+ 2 reads at 15\.83 calls\/s/);
    expect(text).toMatch(/Ready to apply\.$/);
  });

  it('limits the op list and says how many there are', () => {
    const people = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`u${i}@corp.com`, ['Eng']]));
    const text = renderPlanText(makePlan(input(desired(people), actual({ Eng: [] }))).plan, { limit: 5 });
    expect(text).toContain('First 5 of 30 ops');
    expect(text.split('\n').filter((l) => l.startsWith('  create user'))).toHaveLength(5);
  });

  it('states the blocked reason', () => {
    const { plan } = makePlan(
      input(desired({}), actual({ Eng: ['a@corp.com'] }), { policy: { deprovision: 'delete-user' } }),
    );
    expect(renderPlanText(plan)).toMatch(/BLOCKED \(EMPTY_SOURCE\): the directory yielded no people/);
  });

  it('says when there is nothing to do', () => {
    const { plan } = makePlan(input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'] })));
    expect(renderPlanText(plan)).toMatch(/Nothing to do/);
  });
});

import { describe, expect, it } from 'vitest';
import { checkListEntry, checkRule, expandTemplate, listMatcher } from '../../../src/mapping/index.js';

describe('rule templates', () => {
  const match = /^(?<dept>[a-z]+)-(\w+)$/.exec('eng-platform')!;

  it.each([
    ['$1 / $2', 'eng / platform'],
    ['${1}x', 'engx'],
    ['${dept} team', 'eng team'],
    ['$0', 'eng-platform'],
    ['$$1 and $', '$1 and $'],
    ['  $2  ', 'platform'],
    ['${missing}', ''],
  ])('%s -> %s', (template, expected) => {
    expect(expandTemplate(template, match)).toBe(expected);
  });

  it.each([
    ['^bi-(.+)$', 'BI $1', undefined],
    ['^bi-(?<role>.+)$', 'BI ${role}', undefined],
    ['^bi-(.+)$', 'BI $2', 'team template uses capture 2 but the pattern has 1 capture group(s)'],
    ['^bi-(.+)$', 'BI ${role}', 'team template uses ${role} but the pattern has no group named "role"'],
    ['^bi-(', 'x', expect.stringMatching(/^not a valid regular expression: /)],
  ])('checkRule(%s, %s)', (re, team, expected) => {
    expect(checkRule(re, '', team)).toEqual(expected);
  });

  it('list entries: exact names and /regex/flags; a bad regex is reported', () => {
    const m = listMatcher(['Sales', '/^tmp-/i', '/x/g']);

    expect(['Sales', 'sales', 'TMP-1', 'x', 'xx', 'x'].map(m)).toEqual([true, false, true, true, true, true]);
    expect(checkListEntry('/(/')).toMatch(/^not a valid \/regex\/: /);
    expect(checkListEntry('plain (name')).toBeUndefined();
  });
});

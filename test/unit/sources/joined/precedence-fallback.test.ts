import { describe, expect, it } from 'vitest';
import type { Person, Snapshot } from '../../../../src/model/index.js';
import { joinSnapshots } from '../../../../src/sources/joined/join.js';
import { precedenceSchema } from '../../../../src/sources/joined/schema.js';

const person = (sourceId: string, email: string, o: Partial<Person> = {}): Person => ({
  sourceId,
  email,
  displayName: sourceId,
  enabled: true,
  groupIds: [],
  ...o,
});
const snap = (people: Person[]): Snapshot => ({ people, groups: [], issues: [] });
const members = [
  { name: 'ldap', joinOn: 'email', required: false },
  { name: 'entra', joinOn: 'email', required: false },
];

describe('joinSnapshots: precedence', () => {
  it('an attribute decided by a source that lacks the person comes from the first source that has a value, as enabled and names do', () => {
    const { snapshot } = joinSnapshots({
      members,
      precedence: precedenceSchema.parse({ enabled: 'entra', names: 'entra', attributes: { department: 'entra' } }),
      snapshots: new Map([
        [
          'ldap',
          snap([
            person('l1', 'cy@corp.test', { enabled: false, attributes: { department: ['Ops'] } }),
            person('l2', 'amy@corp.test', { attributes: { department: ['Ops'] } }),
            person('l3', 'bo@corp.test', { attributes: { department: ['Ops'] } }),
          ]),
        ],
        [
          'entra',
          snap([
            person('e2', 'amy@corp.test', { attributes: { department: ['Cloud'] } }),
            // In the deciding source, without a value: it decides there is none.
            person('e3', 'bo@corp.test'),
          ]),
        ],
      ]),
    });
    const by = new Map(snapshot.people.map((p) => [p.email, p]));
    // Not (yet) in Entra: LDAP's flag, name and department.
    expect(by.get('cy@corp.test')).toMatchObject({
      enabled: false,
      displayName: 'l1',
      attributes: { department: ['Ops'] },
    });
    expect(by.get('amy@corp.test')).toMatchObject({ displayName: 'e2', attributes: { department: ['Cloud'] } });
    expect(by.get('bo@corp.test')!.attributes).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import { followRenames, type KeptDirectory } from '../../../../src/sources/ldap/kept-directory.js';

const kept: KeptDirectory = {
  cursor: { marker: 'uSNChanged', value: '100' },
  people: [{ dn: 'CN=Ann,OU=P,DC=x', id: 'ann', email: 'ann@x.com', displayName: 'Ann', enabled: true }],
  groups: [
    { dn: 'CN=Eng,OU=G,DC=x', id: 'eng', name: 'Eng', memberDns: ['CN=Platform,OU=G,DC=x', 'CN=Ann,OU=P,DC=x'] },
    { dn: 'CN=Platform,OU=G,DC=x', id: 'plat', name: 'Platform', memberDns: [] },
  ],
  skipped: [],
};

describe('kept groups follow renamed members', () => {
  it('rewrites the old DN of a renamed group or person (by id, any DN spelling) in groups that were not re-read', () => {
    const changed = [
      { dn: 'CN=Platform Engineering,OU=G,DC=x', id: 'plat' },
      { dn: 'CN=Ann Smith,OU=P,DC=x', id: 'ann' },
    ];

    const groups = followRenames(kept, changed, new Set(['plat']));

    expect(groups.find((g) => g.id === 'eng')!.memberDns).toEqual([
      'CN=Platform Engineering,OU=G,DC=x',
      'CN=Ann Smith,OU=P,DC=x',
    ]);
  });

  it('leaves re-read groups as the server gave them, and everything alone when no DN changed', () => {
    const changed = [{ dn: 'CN=Platform Engineering,OU=G,DC=x', id: 'plat' }];

    expect(followRenames(kept, changed, new Set(['eng'])).find((g) => g.id === 'eng')!.memberDns).toEqual(
      kept.groups[0]!.memberDns,
    );
    expect(followRenames(kept, [{ dn: 'cn=platform, ou=G,DC=x', id: 'plat' }], new Set())).toBe(kept.groups);
  });
});

import { randomBytes } from 'node:crypto';
import { SearchEntry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  decodeSearchEntry,
  encodeSearchEntry,
  installLeanEntryDecoding,
  ldaptsDecoding,
  leanDecoding,
} from '../../../../src/sources/ldap/entry-decoding.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
type Attributes = [string, Buffer[]][];

/** Both decodings of one encoded entry, for the same search options. */
function both(attributes: Attributes, requested: string[] = [], explicit: string[] = []) {
  const message = encodeSearchEntry('uid=zoe,ou=people,dc=example,dc=com', attributes);
  return {
    lean: decodeSearchEntry(message, leanDecoding, requested, explicit),
    ldapts: decodeSearchEntry(message, ldaptsDecoding, requested, explicit),
  };
}

describe('lean search entry decoding', () => {
  it('gives what ldapts gives for text, several values, none, and requested attributes the entry lacks', () => {
    const { lean, ldapts } = both(
      [
        ['cn', [bytes('Zoë Ångström')]],
        ['mail', [bytes('z@example.com'), bytes('zoe@example.com')]],
        ['description', []],
        ['title', [bytes('')]],
      ],
      ['cn', 'MAIL', 'description', 'title', 'departmentNumber', 'Mail'],
    );
    expect(lean).toEqual({
      dn: 'uid=zoe,ou=people,dc=example,dc=com',
      cn: 'Zoë Ångström',
      mail: ['z@example.com', 'zoe@example.com'],
      description: [],
      title: '',
      departmentNumber: [],
    });
    expect(lean).toStrictEqual(ldapts);
  });

  it('gives bytes where ldapts does: a value that is not UTF-8 (all of that attribute), `;binary`, and asked-for Buffers', () => {
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    const { lean, ldapts } = both(
      [
        ['jpegPhoto', [photo]],
        ['mixed', [bytes('text'), Buffer.from([0xc3, 0x28])]],
        ['userCertificate;binary', [bytes('looks like text')]],
        ['objectGUID', [bytes('0123456789abcdef')]],
        ['cn', [bytes('Zoë')]],
      ],
      [],
      ['objectGUID'],
    );
    expect(Buffer.isBuffer(lean.jpegPhoto)).toBe(true);
    expect(lean.mixed).toEqual([bytes('text'), Buffer.from([0xc3, 0x28])]);
    expect(Buffer.isBuffer(lean['userCertificate;binary'])).toBe(true);
    expect(Buffer.isBuffer(lean.objectGUID)).toBe(true);
    expect(lean.cn).toBe('Zoë');
    expect(lean).toStrictEqual(ldapts);
  });

  it('drops a leading byte order mark and refuses broken sequences as ldapts (TextDecoder) does', () => {
    const cases: Attributes = [
      ['bom', [Buffer.from([0xef, 0xbb, 0xbf, 0x41])]],
      ['replacementChar', [bytes('a\uFFFDb')]],
      ['surrogate', [Buffer.from([0xed, 0xa0, 0x80])]],
      ['overlong', [Buffer.from([0xc0, 0xaf])]],
      ['truncated', [Buffer.from([0xe2, 0x82])]],
      ['emoji', [bytes('🙂 ok')]],
    ];
    const { lean, ldapts } = both(cases);
    expect(lean.bom).toBe('A');
    expect(lean.replacementChar).toBe('a\uFFFDb');
    expect(Buffer.isBuffer(lean.surrogate)).toBe(true);
    expect(lean).toStrictEqual(ldapts);
  });

  it('agrees with ldapts on 500 random entries (types repeated across entries, values of every byte)', () => {
    const types = ['cn', 'mail', 'departmentNumber', 'title', 'jpegPhoto', 'x-Ü', 'memberOf', 'l'];
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let e = 0; e < 500; e++) {
      const attributes: Attributes = types
        .filter(() => next(3) > 0)
        .map((t) => [
          t,
          Array.from({ length: next(4) }, () =>
            next(5) === 0 ? randomBytes(next(12)) : bytes(`${t} ${next(1000)} é ${'  '.repeat(next(2))}`),
          ),
        ]);
      const requested = next(2) === 0 ? ['CN', 'mail', 'absent'] : [];
      const explicit = next(4) === 0 ? ['mail'] : [];
      const { lean, ldapts } = both(attributes, requested, explicit);
      expect(lean).toStrictEqual(ldapts);
    }
  });

  it('refuses a value that is not an octet string, as ldapts does', () => {
    const message = encodeSearchEntry('cn=x', [['cn', [bytes('x')]]]);
    const tag = message.indexOf(Buffer.from([0x04, 0x01, 0x78])); // the value: OCTET STRING "x"
    message[tag] = 0x02;
    expect(() => decodeSearchEntry(message, ldaptsDecoding)).toThrow(/Expected 0x4: got 0x2/);
    expect(() => decodeSearchEntry(message, leanDecoding)).toThrow(/Expected 0x4: got 0x2/);
  });

  it('refuses a value whose length runs past its attribute instead of reading the next one', () => {
    const message = encodeSearchEntry('cn=x', [
      ['cn', [bytes('x')]],
      ['sn', [bytes('y')]],
    ]);
    message[message.indexOf(Buffer.from([0x04, 0x01, 0x78])) + 1] = 0x09; // "x" claims 9 bytes
    expect(() => decodeSearchEntry(message, leanDecoding)).toThrow(/a value of cn runs past its end/);
  });

  it('is installed for every search, after checking itself against ldapts', () => {
    expect(installLeanEntryDecoding()).toBe(true);
    expect(SearchEntry.prototype.parseMessage).toBe(leanDecoding.parseMessage);
    expect(SearchEntry.prototype.toObject).toBe(leanDecoding.toObject);
    expect(installLeanEntryDecoding()).toBe(true); // once
  });
});

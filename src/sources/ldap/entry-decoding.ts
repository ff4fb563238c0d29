import { isDeepStrictEqual } from 'node:util';
import { Ber, BerReader, BerWriter, InvalidAsn1Error, SearchEntry, type Entry } from 'ldapts';

/**
 * Search entries decoded with less work than ldapts does, to the same result.
 *
 * ldapts turns every value into a Buffer view and a string, wraps each attribute in an object, and
 * lowercases every type again when the entry becomes a plain object. On a read of 10,000 people that
 * is most of the client's CPU, and it grows with every attribute a profile lists. Here each value is
 * decoded once, straight from the message as it arrives, and an entry keeps where its values lie, so
 * bytes are cut only for a search that asks for them. The entry becomes the object ldapts would have
 * made: the same keys, strings, Buffers and empty lists. (SearchEntry.attributes, ldapts's objects
 * per attribute, stays empty: nothing but toObject reads it.)
 *
 * Installed once, and only when it gives ldapts's own answer on the sample below; otherwise ldapts
 * decodes as it always has. test/unit/sources/ldap/entry-decoding.test.ts holds it to the same.
 */

/**
 * An entry as parsed, in few objects (a read holds a page of them): `items` holds each attribute's
 * type and then its values as text (one value as a string, several as a list), or null when they
 * must be bytes (a `;binary` type, a value that is not UTF-8). `offsets` holds each attribute's value
 * count and then where each value lies in the message, start and end: bytes are cut only if asked.
 */
interface Parsed {
  buffer: Buffer;
  items: (string | string[] | null)[];
  offsets: number[];
}
interface LeanEntry {
  name: string;
  attributes: unknown[];
  [PARSED]?: Parsed;
}

const PARSED = Symbol('parsed attributes');
const SET = 0x31;
const BINARY_TYPE = /;binary$/i;
const utf8 = new TextDecoder('utf8', { fatal: true });
const REPLACEMENT = '\uFFFD';
const BOM = 0xfeff;

/**
 * Attribute types repeat in every entry of a search: each is made a string once. Keyed by a hash of
 * its bytes, checked byte by byte; only ASCII types are kept, and only so many.
 */
const typeCache = new Map<number, string>();
const TYPE_CACHE_LIMIT = 1024;
function typeAt(buffer: Buffer, start: number, end: number): string {
  let hash = 0x811c9dc5;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buffer[i]!;
    if (b >= 0x80) ascii = false;
    hash = Math.imul(hash ^ b, 0x01000193);
  }
  const known = ascii ? typeCache.get(hash) : undefined;
  if (known !== undefined && known.length === end - start) {
    let same = true;
    for (let i = 0; i < known.length && same; i++) same = known.charCodeAt(i) === buffer[start + i];
    if (same) return known;
  }
  const type = buffer.toString('utf8', start, end);
  if (ascii && known === undefined && typeCache.size < TYPE_CACHE_LIMIT) typeCache.set(hash, type);
  return type;
}

/** One value as ldapts decodes it: strict UTF-8, a leading BOM dropped; undefined when not UTF-8. */
function textAt(buffer: Buffer, start: number, end: number): string | undefined {
  const v = buffer.toString('utf8', start, end);
  // toString replaces bad bytes with U+FFFD and keeps a BOM: only then is the strict decoder needed.
  if (!v.includes(REPLACEMENT) && v.charCodeAt(0) !== BOM) return v;
  try {
    return utf8.decode(buffer.subarray(start, end));
  } catch {
    return undefined;
  }
}

/** The length read by the last contentsAt: a variable, not a pair, as it is read for every value. */
let length = 0;

/**
 * The BER length after the tag at `at`, into `length`; returns where the contents start. They must
 * end by `limit` (the end of what holds them), or `what` runs past its end.
 */
function contentsAt(buffer: Buffer, at: number, limit: number, what: string): number {
  let pos = at + 1;
  const first = pos < limit ? buffer[pos++]! : 0;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0) throw new InvalidAsn1Error('Indefinite length not supported');
    if (n > 4) throw new InvalidAsn1Error('Encoding too long');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (pos < limit ? buffer[pos++]! : 0);
  } else length = first;
  if (pos + length > limit) throw new InvalidAsn1Error(`${what} runs past its end`);
  return pos;
}

function octetStringAt(buffer: Buffer, at: number): void {
  if (buffer[at] !== Ber.OctetString)
    throw new InvalidAsn1Error(`Expected 0x4: got 0x${(buffer[at] ?? 0).toString(16)}`);
}

/**
 * SearchResultEntry after its name: a SEQUENCE of PartialAttribute (a type, then a SET of values),
 * read from the buffer directly, each length checked against what holds it.
 */
function parseMessage(this: LeanEntry, reader: BerReader): void {
  this.name = reader.readString() ?? '';
  reader.readSequence();
  const end = reader.offset + reader.length;
  const { buffer } = reader;
  const items: Parsed['items'] = [];
  const offsets: number[] = [];
  let pos = reader.offset;
  while (pos < end) {
    const attributeStart = contentsAt(buffer, pos, end, 'an attribute');
    const attributeEnd = attributeStart + length;
    octetStringAt(buffer, attributeStart);
    const typeStart = contentsAt(buffer, attributeStart, attributeEnd, 'an attribute type');
    const type = typeAt(buffer, typeStart, typeStart + length);
    pos = typeStart + length;
    let text = !type.includes(';') || !BINARY_TYPE.test(type);
    let first: string | undefined;
    let more: string[] | undefined;
    const countAt = offsets.push(0) - 1;
    if (pos < attributeEnd && buffer[pos] === SET) {
      const setStart = contentsAt(buffer, pos, attributeEnd, `the values of ${type}`);
      const setEnd = setStart + length;
      for (pos = setStart; pos < setEnd;) {
        octetStringAt(buffer, pos);
        const start = contentsAt(buffer, pos, setEnd, `a value of ${type}`);
        const stop = start + length;
        offsets.push(start, stop);
        offsets[countAt]! += 1;
        if (text) {
          const value = textAt(buffer, start, stop);
          if (value === undefined) text = false;
          else if (first === undefined) first = value;
          else (more ??= [first]).push(value);
        }
        pos = stop;
      }
    }
    pos = attributeEnd;
    items.push(type, !text ? null : (more ?? first ?? []));
  }
  reader.offset = end;
  this.attributes = [];
  this[PARSED] = { buffer, items, offsets };
}

function toObject(
  this: LeanEntry,
  requestAttributes: string[],
  explicitBufferAttributes: string[],
  original: (this: LeanEntry, r: string[], e: string[]) => Entry,
): Entry {
  const parsed = this[PARSED];
  if (!parsed) return original.call(this, requestAttributes, explicitBufferAttributes);
  const { buffer, items, offsets } = parsed;
  const result: Entry = { dn: this.name };
  for (let i = 0, at = 0; i < items.length; i += 2) {
    const type = items[i] as string;
    const count = offsets[at]!;
    const values = items[i + 1] as string | string[] | null;
    if (values === null || (explicitBufferAttributes.length > 0 && explicitBufferAttributes.includes(type))) {
      const bytes: Buffer[] = [];
      for (let k = 0; k < count; k++) bytes.push(buffer.subarray(offsets[at + 1 + 2 * k], offsets[at + 2 + 2 * k]));
      result[type] = bytes.length === 1 ? bytes[0]! : bytes;
    } else result[type] = values;
    at += 1 + 2 * count;
  }
  // A requested attribute the entry lacks (under any case) is an empty list, as ldapts has it.
  for (const wanted of requestAttributes) {
    if (result[wanted] !== undefined) continue;
    const lower = wanted.toLocaleLowerCase();
    let held = false;
    for (let i = 0; i < items.length && !held; i += 2) held = (items[i] as string).toLocaleLowerCase() === lower;
    if (!held) result[wanted] = [];
  }
  return result;
}

/** A search entry as a server would send it, each attribute with its values as bytes. */
export function encodeSearchEntry(dn: string, attributes: [string, Buffer[]][], messageId = 1): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(messageId);
  w.startSequence(0x64); // [APPLICATION 4] SearchResultEntry
  w.writeString(dn);
  w.startSequence();
  for (const [type, values] of attributes) {
    w.startSequence();
    w.writeString(type);
    w.startSequence(SET);
    for (const v of values) w.writeBuffer(v, Ber.OctetString);
    w.endSequence();
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

type Decoding = Pick<SearchEntry, 'parseMessage' | 'toObject'>;

/** Decodes one encoded search entry (encodeSearchEntry) with the given decoding. */
export function decodeSearchEntry(
  message: Buffer,
  decoding: Decoding,
  requestAttributes: string[] = [],
  explicitBufferAttributes: string[] = [],
): Entry {
  const reader = new BerReader(message);
  reader.readSequence();
  reader.readInt();
  reader.readSequence();
  const entry = new SearchEntry({ messageId: 1 });
  decoding.parseMessage.call(entry, reader);
  return decoding.toObject.call(entry, requestAttributes, explicitBufferAttributes);
}

/** ldapts's own decoding, as it was before install. */
export const ldaptsDecoding: Decoding = {
  parseMessage: SearchEntry.prototype.parseMessage,
  toObject: SearchEntry.prototype.toObject,
};

/** The lean decoding, falling back to ldapts's for an entry it did not parse. */
export const leanDecoding: Decoding = {
  parseMessage,
  toObject(this: SearchEntry, r: string[], e: string[]) {
    return toObject.call(this as unknown as LeanEntry, r, e, ldaptsDecoding.toObject as never);
  },
};

const bytes = (s: string) => Buffer.from(s, 'utf8');
/** What the install checks: multi-valued, empty, non-UTF-8, a BOM, `;binary`, a Buffer type, a missing one. */
const SAMPLE: [string, [string, Buffer[]][], string[], string[]] = [
  'cn=Zoë,ou=people,dc=example,dc=com',
  [
    ['cn', [bytes('Zoë')]],
    ['mail', [bytes('z@example.com'), bytes('zoe@example.com')]],
    ['description', []],
    ['jpegPhoto', [Buffer.from([0xff, 0xd8, 0xff])]],
    ['title', [Buffer.from([0xef, 0xbb, 0xbf, 0x41])]],
    ['userCertificate;binary', [bytes('cert')]],
    ['entryUUID', [bytes('3f2a')]],
  ],
  ['cn', 'MAIL', 'description', 'jpegPhoto', 'title', 'userCertificate;binary', 'entryUUID', 'absent'],
  ['entryUUID'],
];

let installed: boolean | undefined;

/**
 * Puts the lean decoding in place of ldapts's for every search in this process, once: only when it
 * decodes the sample exactly as ldapts does (a later ldapts that changed its entries stays as it is).
 * Returns whether the lean decoding is in use.
 */
export function installLeanEntryDecoding(): boolean {
  if (installed !== undefined) return installed;
  const [dn, attributes, requested, explicit] = SAMPLE;
  const message = encodeSearchEntry(dn, attributes);
  let same: boolean;
  try {
    same = isDeepStrictEqual(
      decodeSearchEntry(message, leanDecoding, requested, explicit),
      decodeSearchEntry(message, ldaptsDecoding, requested, explicit),
    );
  } catch {
    same = false;
  }
  if (same) {
    SearchEntry.prototype.parseMessage = leanDecoding.parseMessage;
    SearchEntry.prototype.toObject = leanDecoding.toObject;
  }
  installed = same;
  return same;
}

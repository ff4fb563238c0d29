import { describe, expect, it } from 'vitest';
import { normaliseAttributeValue } from '../../../src/model/index.js';
import { readAttributes, SharedValues } from '../../../src/sources/attributes.js';

describe('attribute values', () => {
  it('are trimmed with inner whitespace of every kind collapsed; normal values come back as they are', () => {
    expect(normaliseAttributeValue('  Sales  ')).toBe('Sales');
    expect(normaliseAttributeValue('Head\tof\n\nSales')).toBe('Head of Sales');
    expect(normaliseAttributeValue('Head  of Sales')).toBe('Head of Sales');
    expect(normaliseAttributeValue('Head\u00a0of Sales')).toBe('Head of Sales');
    expect(normaliseAttributeValue(' ')).toBe('');
    const normal = 'Senior Engineer';
    expect(normaliseAttributeValue(normal)).toBe(normal);
  });

  it('are read per listed name, empty values dropped, an attribute without values left out', () => {
    const values: Record<string, string | string[] | undefined> = {
      department: ' Sales ',
      office: ['London', '', '  Berlin'],
      title: ['', ' '],
    };
    expect(readAttributes(['department', 'office', 'title', 'missing'], (n) => values[n])).toEqual({
      department: ['Sales'],
      office: ['London', 'Berlin'],
    });
    expect(readAttributes([], () => 'x')).toBeUndefined();
  });

  it('share one frozen list per value, for one read, until an attribute has too many distinct values', () => {
    const shared = new SharedValues(3);
    const read = (department: string, id: string) =>
      readAttributes(['department', 'id'], (n) => (n === 'department' ? department : id), shared)!;
    const a = read('Sales', '1');
    const b = read(' Sales', '2');
    expect(a.department).toBe(b.department);
    expect(Object.isFrozen(a.department)).toBe(true);
    expect(() => (a.department as string[]).push('x')).toThrow(TypeError);
    read('Legal', '3');
    // id has now had 3 distinct values: later ones get lists of their own, with the right value.
    const c = read('Sales', '4');
    const d = read('Sales', '4');
    expect(c.id).toEqual(['4']);
    expect(c.id).not.toBe(d.id);
    expect(c.department).toBe(a.department);
    // Several values are never shared.
    const many = readAttributes(['office'], () => ['London', 'Berlin'], shared)!;
    expect(Object.isFrozen(many.office)).toBe(false);
  });
});

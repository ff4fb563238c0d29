import type { Group, Person } from '../../model/index.js';
import { SharedValues } from '../attributes.js';
import type { GroupIndex, Resolved } from './groups-file.js';
import { conflict, parseRow, peopleColumns, type PeopleColumns, type Stated } from './person-row.js';
import type { RawRecord } from './record-reader.js';
import { brokenHeader, emptyFile } from './read-file.js';
import type { CsvSourceConfig } from './schema.js';

interface Entry {
  person: Person;
  stated: Stated;
  line: number;
}

/**
 * Builds people from the records of the people file, in file order. The first row of a person or
 * an email wins; later rows that clash are bad rows. In the memberships shape a person's rows merge.
 */
export class PeopleFile {
  private cols: PeopleColumns | undefined;
  private readonly byKey = new Map<string, Entry>();
  private readonly byEmail = new Map<string, Entry>();
  /** Without a groups file: groups named by people rows, in first-seen order. */
  private readonly named = new Map<string, Group>();
  private readonly resolveGroup: (value: string) => Resolved;
  /** One-value attribute lists shared across the file's rows (a department repeats on thousands). */
  private readonly shared = new SharedValues();

  constructor(
    private readonly file: string,
    private readonly config: CsvSourceConfig,
    private readonly groups: GroupIndex | undefined,
    private readonly bad: (line: number, reason: string) => void,
  ) {
    this.resolveGroup = groups ? (v) => groups.resolve(v) : (v) => ({ id: v });
  }

  /** Takes one record; call `result()` after the last. */
  add(rec: RawRecord): void {
    if ('error' in rec) {
      if (!this.cols) throw brokenHeader(this.file, rec.line, rec.error);
      return this.bad(rec.line, rec.error);
    }
    if (!this.cols) {
      this.cols = peopleColumns(rec.fields, this.file, this.config);
      return;
    }
    const row = parseRow(rec.fields, this.cols, this.config, this.resolveGroup, this.shared);
    if ('reason' in row) return this.bad(rec.line, row.reason);
    this.accept({ person: row.person, stated: row.stated, line: rec.line });
  }

  result(): { people: Person[]; groups: Group[] } {
    if (!this.cols) throw emptyFile(this.file);
    const people = [...this.byKey.values()].map((e) => e.person);
    return { people, groups: this.groups?.groups ?? [...this.named.values()] };
  }

  private accept(entry: Entry): void {
    const { person, line } = entry;
    const email = entry.stated.email;
    const same = this.byKey.get(person.sourceId);
    if (same && this.config.shape === 'person-groups') {
      const what = this.cols?.id !== undefined ? `id "${person.sourceId}"` : `email ${person.email}`;
      return this.bad(line, `duplicate ${what} (first on line ${same.line})`);
    }
    if (same) {
      const field = conflict(same.stated, entry.stated);
      if (field) return this.bad(line, `${field} differs from line ${same.line} for the same person`);
      for (const g of person.groupIds) if (!same.person.groupIds.includes(g)) same.person.groupIds.push(g);
      this.name(person.groupIds);
      return;
    }
    const other = this.byEmail.get(email);
    if (other) return this.bad(line, `duplicate email ${person.email} (first on line ${other.line})`);
    this.byKey.set(person.sourceId, entry);
    this.byEmail.set(email, entry);
    this.name(person.groupIds);
  }

  /** Without a groups file a group is its name: sourceId = name, no nesting. */
  private name(ids: string[]): void {
    if (this.groups) return;
    for (const id of ids) if (!this.named.has(id)) this.named.set(id, { sourceId: id, name: id, parentIds: [] });
  }
}

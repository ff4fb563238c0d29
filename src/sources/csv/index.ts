import { access, constants } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SourceReadError } from '../../errors/index.js';
import { normaliseEmail, type Person, type SourceIssue } from '../../model/index.js';
import type { SourceDeps } from '../registry.js';
import type { ReadRequest, Source, SourceRead } from '../source.js';
import { readGroupsFile, split, type GroupIndex } from './groups-file.js';
import { headerIndex } from './header.js';
import { readRecords } from './record-reader.js';
import type { CsvSourceConfig } from './schema.js';

export { csvSourceSchema, type CsvSourceConfig } from './schema.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TRUE = new Set(['true', 'yes', 'y', '1', 'active', 'enabled']);
const FALSE = new Set(['false', 'no', 'n', '0', 'inactive', 'disabled']);

interface Columns {
  id?: number; email: number; displayName?: number; givenName?: number; familyName?: number; enabled?: number; groups: number;
}

/**
 * An HR export: one row per person with a delimited groups column, or one row per membership.
 * Bad rows are reported as `file:line: reason` and skipped; more than maxInvalidRows fails the read.
 */
export class CsvSource implements Source {
  readonly kind = 'csv';
  private readonly path: string;
  private readonly file: string;

  constructor(private readonly config: CsvSourceConfig, private readonly deps: SourceDeps) {
    this.path = resolve(deps.baseDir, config.path);
    this.file = basename(this.path);
  }

  async read(_request: ReadRequest): Promise<SourceRead> {
    const issues: SourceIssue[] = [];
    const bad = (line: number, reason: string) => issues.push({ where: `${this.file}:${line}`, reason });
    const groups = this.config.groupsFile ? await this.readGroups(issues) : undefined;
    const byName = new Map<string, string>();
    const groupId = (value: string): string | undefined => {
      if (groups) return groups.resolve(value);
      byName.set(value, value);
      return value;
    };

    const people = new Map<string, { person: Person; line: number }>();
    const emails = new Map<string, { key: string; line: number }>();
    let cols: Columns | undefined;
    let width = 0;
    try {
      for await (const rec of readRecords(this.path, { delimiter: this.config.delimiter })) {
        if ('error' in rec) {
          bad(rec.line, rec.error);
          continue;
        }
        if (!cols) {
          cols = this.columns(rec.fields);
          width = rec.fields.length;
          continue;
        }
        if (rec.fields.length !== width) {
          bad(rec.line, `expected ${width} columns, found ${rec.fields.length}`);
          continue;
        }
        const row = this.person(rec.fields, cols, rec.line, bad, groupId);
        if (!row) continue;
        const key = row.person.sourceId;
        const seen = emails.get(normaliseEmail(row.person.email));
        if (seen && seen.key !== key) {
          bad(rec.line, `duplicate email ${row.person.email} (first on line ${seen.line})`);
          continue;
        }
        const existing = people.get(key);
        if (existing && this.config.shape === 'person-groups') {
          bad(rec.line, `duplicate ${cols.id !== undefined ? `id "${key}"` : `email ${row.person.email}`} (first on line ${existing.line})`);
          continue;
        }
        if (existing) {
          const conflict = differs(existing.person, row.person);
          if (conflict) {
            bad(rec.line, `${conflict} differs from line ${existing.line} for the same person`);
            continue;
          }
          for (const g of row.person.groupIds) if (!existing.person.groupIds.includes(g)) existing.person.groupIds.push(g);
          continue;
        }
        emails.set(normaliseEmail(row.person.email), { key, line: rec.line });
        people.set(key, { person: row.person, line: rec.line });
      }
    } catch (err) {
      if (err instanceof SourceReadError) throw err;
      throw new SourceReadError(`${this.file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'csv', { cause: err });
    }
    if (!cols) throw new SourceReadError(`${this.file}: the file is empty (no header)`, 'csv', { code: 'SOURCE_BAD_HEADER' });
    if (issues.length > this.config.maxInvalidRows) {
      const first = issues.slice(0, 5).map((i) => `${i.where}: ${i.reason}`).join('; ');
      throw new SourceReadError(`${this.file}: ${issues.length} invalid rows exceed maxInvalidRows=${this.config.maxInvalidRows} (first: ${first})`, 'csv', { code: 'SOURCE_TOO_MANY_INVALID_ROWS' });
    }
    for (const issue of issues) this.deps.log.debug({ where: issue.where, reason: issue.reason }, 'csv row skipped');
    const groupList = groups?.groups ?? [...byName.keys()].map((n) => ({ sourceId: n, name: n, parentIds: [] }));
    return { snapshot: { people: [...people.values()].map((p) => p.person), groups: groupList, issues }, mode: 'full' };
  }

  async check(): Promise<void> {
    const files = [this.path, ...(this.config.groupsFile ? [resolve(this.deps.baseDir, this.config.groupsFile.path)] : [])];
    for (const f of files) {
      await access(f, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
        throw new SourceReadError(`${basename(f)}: cannot read (${err.code ?? 'error'})`, 'csv', { cause: err });
      });
    }
    for await (const rec of readRecords(this.path, { delimiter: this.config.delimiter })) {
      if ('fields' in rec) this.columns(rec.fields);
      break;
    }
  }

  private async readGroups(issues: SourceIssue[]): Promise<GroupIndex> {
    const g = this.config.groupsFile!;
    const path = resolve(this.deps.baseDir, g.path);
    try {
      return await readGroupsFile(path, g, { delimiter: this.config.delimiter, groupDelimiter: this.config.groupDelimiter }, issues);
    } catch (err) {
      if (err instanceof SourceReadError) throw err;
      throw new SourceReadError(`${basename(path)}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'csv', { cause: err });
    }
  }

  private columns(header: string[]): Columns {
    const c = this.config.columns;
    const at = headerIndex(header, this.file);
    const opt = (name: string) => at(name, false);
    const cols: Columns = { email: at(c.email, true)!, groups: at(this.config.shape === 'person-groups' ? c.groups : c.group, true)! };
    const optional = { id: opt(c.id), displayName: opt(c.displayName), givenName: opt(c.givenName), familyName: opt(c.familyName), enabled: opt(c.enabled) };
    for (const [k, v] of Object.entries(optional)) if (v !== undefined) (cols as unknown as Record<string, number>)[k] = v;
    return cols;
  }

  private person(f: string[], cols: Columns, line: number, bad: (line: number, reason: string) => void, groupId: (v: string) => string | undefined): { person: Person } | undefined {
    const get = (i: number | undefined) => (i === undefined ? '' : (f[i] ?? '').trim());
    const email = get(cols.email);
    if (!email) return void bad(line, 'missing email');
    if (!EMAIL.test(email)) return void bad(line, `invalid email "${email}"`);
    const enabledRaw = get(cols.enabled).toLowerCase();
    if (enabledRaw && !TRUE.has(enabledRaw) && !FALSE.has(enabledRaw)) return void bad(line, `invalid ${this.config.columns.enabled} value "${enabledRaw}"`);
    const raw = this.config.shape === 'person-groups' ? split(get(cols.groups), this.config.groupDelimiter) : [get(cols.groups)].filter(Boolean);
    const groupIds: string[] = [];
    for (const g of raw) {
      const id = groupId(g);
      if (id === undefined) return void bad(line, `unknown group "${g}" (not in the groups file)`);
      if (!groupIds.includes(id)) groupIds.push(id);
    }
    const given = get(cols.givenName);
    const family = get(cols.familyName);
    return {
      person: {
        sourceId: get(cols.id) || normaliseEmail(email),
        email,
        displayName: get(cols.displayName) || [given, family].filter(Boolean).join(' ') || email,
        ...(given ? { givenName: given } : {}),
        ...(family ? { familyName: family } : {}),
        enabled: !FALSE.has(enabledRaw),
        groupIds,
      },
    };
  }
}

function differs(a: Person, b: Person): string | undefined {
  if (normaliseEmail(a.email) !== normaliseEmail(b.email)) return 'email';
  if (a.displayName !== b.displayName) return 'display name';
  if (a.enabled !== b.enabled) return 'enabled';
  return undefined;
}

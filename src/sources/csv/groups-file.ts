import { basename } from 'node:path';
import { SourceReadError } from '../../errors/index.js';
import type { Group, SourceIssue } from '../../model/index.js';
import type { CsvSourceConfig } from './schema.js';
import { readRecords } from './record-reader.js';
import { headerIndex } from './header.js';

export interface GroupIndex {
  groups: Group[];
  /** A people-file group value (id, else name) -> group sourceId. */
  resolve(value: string): string | undefined;
}

/** The optional groups file: id, name, parent(s). Bad rows are issues; a missing column fails the read. */
export async function readGroupsFile(path: string, config: NonNullable<CsvSourceConfig['groupsFile']>, opts: { delimiter: string; groupDelimiter: string }, issues: SourceIssue[]): Promise<GroupIndex> {
  const name = basename(path);
  const groups = new Map<string, Group>();
  let cols: { id: number; name: number; parent: number | undefined } | undefined;
  for await (const rec of readRecords(path, { delimiter: opts.delimiter })) {
    if ('error' in rec) {
      issues.push({ where: `${name}:${rec.line}`, reason: rec.error });
      continue;
    }
    if (!cols) {
      const at = headerIndex(rec.fields, name);
      cols = { id: at(config.id, true)!, name: at(config.name, true)!, parent: at(config.parent, false) };
      continue;
    }
    const id = rec.fields[cols.id]?.trim() ?? '';
    const groupName = rec.fields[cols.name]?.trim() ?? '';
    if (!id || !groupName) {
      issues.push({ where: `${name}:${rec.line}`, reason: `missing group ${!id ? config.id : config.name}` });
      continue;
    }
    if (groups.has(id)) {
      issues.push({ where: `${name}:${rec.line}`, reason: `duplicate group id "${id}"` });
      continue;
    }
    const parents = cols.parent === undefined ? [] : split(rec.fields[cols.parent] ?? '', opts.groupDelimiter);
    groups.set(id, { sourceId: id, name: groupName, parentIds: parents });
  }
  if (!cols) throw new SourceReadError(`${name}: the groups file is empty (no header)`, 'csv', { code: 'SOURCE_BAD_HEADER' });
  const byName = new Map<string, string>();
  for (const g of groups.values()) if (!byName.has(g.name)) byName.set(g.name, g.sourceId);
  // Parents given by name resolve like people's groups do.
  for (const g of groups.values()) g.parentIds = g.parentIds.map((p) => (groups.has(p) ? p : byName.get(p) ?? p));
  return { groups: [...groups.values()], resolve: (v) => (groups.has(v) ? v : byName.get(v)) };
}

export function split(value: string, delimiter: string): string[] {
  return value.split(delimiter).map((s) => s.trim()).filter((s) => s.length > 0);
}

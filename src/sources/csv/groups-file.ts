import { basename } from 'node:path';
import type { Group, SourceIssue } from '../../model/index.js';
import type { CsvSourceConfig } from './schema.js';
import { headerIndex } from './header.js';
import { brokenHeader, emptyFile, readFileRecords, split } from './read-file.js';

export type Resolved = { id: string } | { reason: string };

export interface GroupIndex {
  groups: Group[];
  /** A group value (a declared id, else a declared name) -> group sourceId, or why it names none. */
  resolve(value: string): Resolved;
}

interface FileOptions {
  delimiter: string;
  groupDelimiter: string;
  signal?: AbortSignal;
}

/**
 * The optional groups file: id, name and parent(s). Bad rows become issues (`groups.csv:LINE`);
 * a missing column or an unreadable file fails the read. An unknown parent is reported and dropped,
 * the group itself is kept.
 *
 * HR exports often write one row per (group, parent) edge, so a group's rows merge: parents are
 * unioned in file order; a row that names the group differently is a bad row and adds nothing.
 */
export async function readGroupsFile(
  path: string,
  config: NonNullable<CsvSourceConfig['groupsFile']>,
  opts: FileOptions,
  issues: SourceIssue[],
): Promise<GroupIndex> {
  const file = basename(path);
  const found: { line: number; reason: string }[] = [];
  const bad = (line: number, reason: string) => void found.push({ line, reason });
  /** Per group: its first row, and each parent value with the row that named it (for reporting). */
  const rows = new Map<string, { group: Group; line: number; parents: { value: string; line: number }[] }>();
  let cols: { id: number; name: number; parent: number | undefined; width: number } | undefined;

  await readFileRecords(path, opts, (rec) => {
    if ('error' in rec) {
      if (!cols) throw brokenHeader(file, rec.line, rec.error);
      return bad(rec.line, rec.error);
    }
    if (!cols) {
      const at = headerIndex(rec.fields, file);
      cols = {
        id: at(config.id, true),
        name: at(config.name, true),
        parent: at(config.parent, false),
        width: rec.fields.length,
      };
      return;
    }
    if (rec.fields.length !== cols.width)
      return bad(rec.line, `expected ${cols.width} columns, found ${rec.fields.length}`);
    const id = rec.fields[cols.id]!.trim();
    const name = rec.fields[cols.name]!.trim();
    if (!id) return bad(rec.line, `missing group ${config.id}`);
    if (!name) return bad(rec.line, `missing group ${config.name}`);
    const parents = (cols.parent === undefined ? [] : split(rec.fields[cols.parent]!, opts.groupDelimiter)).map(
      (value) => ({ value, line: rec.line }),
    );
    const first = rows.get(id);
    if (!first) return void rows.set(id, { group: { sourceId: id, name, parentIds: [] }, line: rec.line, parents });
    if (first.group.name !== name)
      return bad(
        rec.line,
        `name "${name}" differs from line ${first.line} ("${first.group.name}") for the same group id "${id}"`,
      );
    first.parents.push(...parents);
  });
  if (!cols) throw emptyFile(file);

  const byName = new Map<string, string[]>();
  for (const { group } of rows.values()) byName.set(group.name, [...(byName.get(group.name) ?? []), group.sourceId]);
  const resolve = (value: string): Resolved => {
    if (rows.has(value)) return { id: value };
    const ids = byName.get(value) ?? [];
    if (ids.length === 1) return { id: ids[0]! };
    if (ids.length > 1) return { reason: `group name "${value}" is ambiguous (ids ${ids.join(', ')}): use the id` };
    return { reason: `unknown group "${value}" (not in ${file})` };
  };
  // Parents may be given by id or by name, like people's groups.
  for (const { group, parents } of rows.values()) {
    for (const p of parents) {
      const r = resolve(p.value);
      if ('reason' in r) bad(p.line, `parent: ${r.reason}; parent ignored`);
      else if (!group.parentIds.includes(r.id)) group.parentIds.push(r.id);
    }
  }
  found.sort((a, b) => a.line - b.line);
  issues.push(...found.map((f) => ({ where: `${file}:${f.line}`, reason: f.reason })));
  return { groups: [...rows.values()].map((r) => r.group), resolve };
}

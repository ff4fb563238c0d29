import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SourceReadError } from '../../errors/index.js';
import type { SourceIssue } from '../../model/index.js';
import type { ReadRequest, Source, SourceDeps, SourcePlugin, SourceRead } from '../source.js';
import { readGroupsFile, type GroupIndex } from './groups-file.js';
import { headerIndex } from './header.js';
import { PeopleFile } from './people-file.js';
import { peopleColumns } from './person-row.js';
import { brokenHeader, emptyFile, readFileRecords } from './read-file.js';
import { csvSourceSchema, type CsvSourceConfig } from './schema.js';

export { csvSourceSchema, type CsvSourceConfig } from './schema.js';

/** Issues quoted in the message of a read that failed on too many bad rows. */
const QUOTED_ISSUES = 5;

/**
 * An HR export: one row per person with a delimited groups column, or one row per membership,
 * and optionally a groups file with nesting. Files are streamed. Bad rows are reported as
 * `file:line` issues and skipped; more than maxInvalidRows fails the read.
 */
export class CsvSource implements Source {
  readonly kind = 'csv';
  readonly issueWords = { one: 'row skipped', many: 'rows skipped' };
  private readonly path: string;
  private readonly groupsPath: string | undefined;

  constructor(
    private readonly config: CsvSourceConfig,
    private readonly deps: SourceDeps,
  ) {
    this.path = resolve(deps.baseDir, config.path);
    this.groupsPath = config.groupsFile ? resolve(deps.baseDir, config.groupsFile.path) : undefined;
  }

  async read(request: ReadRequest): Promise<SourceRead> {
    const issues: SourceIssue[] = [];
    const before = await this.stamps();
    const opts = { delimiter: this.config.delimiter, ...(request.signal ? { signal: request.signal } : {}) };
    const groups = await this.readGroups(issues, opts);
    const file = basename(this.path);
    const people = new PeopleFile(
      file,
      this.config,
      groups,
      (line, reason) => void issues.push({ where: `${file}:${line}`, reason }),
    );
    await readFileRecords(this.path, opts, (rec) => people.add(rec));
    const result = people.result();
    // An export rewritten in place while we read it may be half old, half new: read it again next time.
    const after = await this.stamps();
    const changed = [...after.keys()].find((f) => after.get(f) !== before.get(f));
    if (changed)
      throw new SourceReadError(
        `${changed}: the file changed while it was read (write exports to a temporary file and rename it)`,
        'csv',
        { code: 'SOURCE_CHANGED_DURING_READ' },
      );
    if (issues.length > this.config.maxInvalidRows) {
      const first = issues
        .slice(0, QUOTED_ISSUES)
        .map((i) => `${i.where}: ${i.reason}`)
        .join('; ');
      throw new SourceReadError(
        `${file}: ${issues.length} invalid rows, more than maxInvalidRows=${this.config.maxInvalidRows}; first: ${first}`,
        'csv',
        { code: 'SOURCE_TOO_MANY_INVALID_ROWS' },
      );
    }
    this.deps.log.debug(
      { people: result.people.length, groups: result.groups.length, issues: issues.length },
      'csv read',
    );
    return { snapshot: { ...result, issues }, mode: 'full' };
  }

  /** Both files open and their headers have the columns the config needs. */
  async check(): Promise<void> {
    const opts = { delimiter: this.config.delimiter };
    await this.header(this.path, opts, (fields, file) => void peopleColumns(fields, file, this.config));
    const g = this.config.groupsFile;
    if (!g || !this.groupsPath) return;
    await this.header(this.groupsPath, opts, (fields, file) => {
      const at = headerIndex(fields, file);
      at(g.id, true);
      at(g.name, true);
    });
  }

  /** Size and mtime of the files; unreadable files are left to the read to report. */
  private async stamps(): Promise<Map<string, string>> {
    const files = [this.path, ...(this.groupsPath ? [this.groupsPath] : [])];
    const stats = await Promise.all(
      files.map((f) =>
        stat(f).then(
          (s) => `${s.size}:${s.mtimeMs}`,
          () => 'none',
        ),
      ),
    );
    return new Map(files.map((f, i) => [f, stats[i]!]));
  }

  private async readGroups(
    issues: SourceIssue[],
    opts: { delimiter: string; signal?: AbortSignal },
  ): Promise<GroupIndex | undefined> {
    if (!this.config.groupsFile || !this.groupsPath) return undefined;
    const index = await readGroupsFile(
      this.groupsPath,
      this.config.groupsFile,
      { ...opts, groupDelimiter: this.config.groupDelimiter },
      issues,
    );
    this.deps.log.debug({ file: basename(this.groupsPath), groups: index.groups.length }, 'csv groups file read');
    return index;
  }

  private async header(
    path: string,
    opts: { delimiter: string },
    checkColumns: (fields: string[], file: string) => void,
  ): Promise<void> {
    const file = basename(path);
    let seen = false;
    await readFileRecords(path, opts, (rec) => {
      if ('error' in rec) throw brokenHeader(file, rec.line, rec.error);
      checkColumns(rec.fields, file);
      seen = true;
      return 'stop';
    });
    if (!seen) throw emptyFile(file);
  }
}

/** Files only: nothing is kept between reads, every read is full. */
export const csvSourcePlugin: SourcePlugin<CsvSourceConfig> = {
  kind: 'csv',
  configSchema: csvSourceSchema,
  create: (config, deps) => new CsvSource(config, deps),
  stateKeys: () => [],
};

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvSourceSchema } from '../../../src/sources/csv/schema.js';
import { writeDirectoryCsv } from '../synthetic-directory.js';
import type { ConformanceAdapter } from './adapter.js';
import { applyChange, toSnapshot, type ConfDirectory } from './directory.js';

/**
 * people.csv + groups.csv (the sample format: group ids in the groups column, parents in groups.csv);
 * the directory's attributes as columns of their own name; a change rewrites both.
 */
export const csvAdapter: ConformanceAdapter = {
  kind: 'csv',
  name: 'CSV export (people.csv + groups.csv)',
  nesting: 'parents',
  attributeNames: { department: 'department', location: 'location' },
  async load(dir) {
    const folder = mkdtempSync(join(tmpdir(), 'rostersync-conformance-csv-'));
    const columns = (dir.attributes ?? []).map((a) => csvAdapter.attributeNames[a]);
    const write = (d: ConfDirectory) => writeDirectoryCsv(toSnapshot(d), folder, columns);
    const files = write(dir);
    return {
      config: csvSourceSchema.parse({
        kind: 'csv',
        path: files.people,
        groupsFile: { path: files.groups },
        ...(columns.length > 0 ? { attributes: columns } : {}),
      }),
      async apply(steps, before) {
        write(applyChange(before, steps));
      },
      async close() {
        rmSync(folder, { recursive: true, force: true });
      },
    };
  },
};

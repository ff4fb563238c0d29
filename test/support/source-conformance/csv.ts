import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvSourceSchema } from '../../../src/sources/csv/schema.js';
import { writeDirectoryCsv } from '../synthetic-directory.js';
import type { ConformanceAdapter } from './adapter.js';
import { applyChange, toSnapshot } from './directory.js';

/** people.csv + groups.csv (the sample format: group ids in the groups column, parents in groups.csv); a change rewrites both. */
export const csvAdapter: ConformanceAdapter = {
  kind: 'csv',
  name: 'CSV export (people.csv + groups.csv)',
  nesting: 'parents',
  async load(dir) {
    const folder = mkdtempSync(join(tmpdir(), 'rostersync-conformance-csv-'));
    const files = writeDirectoryCsv(toSnapshot(dir), folder);
    return {
      config: csvSourceSchema.parse({ kind: 'csv', path: files.people, groupsFile: { path: files.groups } }),
      async apply(steps, before) {
        writeDirectoryCsv(toSnapshot(applyChange(before, steps)), folder);
      },
      async close() {
        rmSync(folder, { recursive: true, force: true });
      },
    };
  },
};

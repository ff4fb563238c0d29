import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { CsvSource } from '../../../../src/sources/csv/index.js';
import { csvSourceSchema } from '../../../../src/sources/csv/schema.js';
import { silentLogger } from '../../../../src/log/logger.js';
import type { Snapshot } from '../../../../src/model/index.js';

/** The default people header (person-groups shape). */
export const H = 'id,email,display_name,enabled,groups\n';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp dir holding `files`; the config defaults to people.csv (+ groups.csv when given). */
export function csvFixture(
  files: Record<string, string | Buffer>,
  config: Record<string, unknown> = {},
): { source: CsvSource; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-csv-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const parsed = csvSourceSchema.parse({
    kind: 'csv',
    path: 'people.csv',
    ...(files['groups.csv'] !== undefined ? { groupsFile: { path: 'groups.csv' } } : {}),
    ...config,
  });
  return { source: new CsvSource(parsed, { log: silentLogger, baseDir: dir, profile: 'test' }), dir };
}

export async function readCsv(
  files: Record<string, string | Buffer>,
  config: Record<string, unknown> = {},
): Promise<Snapshot> {
  return (await csvFixture(files, config).source.read({ mode: 'full' })).snapshot;
}

/** The error a read rejects with (fails the test when it resolves). */
export async function readCsvError(
  files: Record<string, string | Buffer>,
  config: Record<string, unknown> = {},
): Promise<Error & { code?: string }> {
  const outcome = await readCsv(files, config).then(
    (snap) => new Error(`expected the read to fail, got ${snap.people.length} people`),
    (err: unknown) => err as Error,
  );
  if (outcome.message.startsWith('expected the read to fail')) throw outcome;
  return outcome;
}

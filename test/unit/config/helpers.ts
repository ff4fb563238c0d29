import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../../../src/errors/index.js';

/** A fresh directory per test file for configs and secret files. */
export function scratch(): { dir: string; write: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-config-'));
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}

/** A valid config; `target` is the line after apiKey (line 5), `extra` is appended at the end (from line 9). */
export const minimal = (target = 'apiSecret: ${SECRET}', extra = '') => `target:
  kind: chartio
  org: acme
  apiKey: key
  ${target}
profiles:
  - name: hr
    source: { kind: csv, path: people.csv }
${extra}`;

/** The ConfigError message a promise rejects with (fails the test when it resolves or throws something else). */
export async function configError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return (e as ConfigError).message;
}

/** The single Chartio target of a test config. */
export const chartioOf = (c: { target?: unknown }) =>
  c.target as import('../../../src/targets/chartio/schema.js').ChartioTargetConfig;

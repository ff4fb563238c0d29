import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCerts } from './slapd.js';

const DIR_VAR = 'ROSTERSYNC_TEST_TLS_DIR';

/**
 * The one test CA of a test run. Workers trust it through NODE_EXTRA_CA_CERTS, which is read from
 * the environment the projects' setups share: a second CA made by another project's setup would
 * replace the first, and every HTTPS fake signed by the first would fail TLS. So the first setup
 * makes it, later ones reuse it, and only the maker removes it.
 */
export function sharedTestCa(): { tls: { ca: string; cert: string; key: string }; release: () => void } {
  const existing = process.env[DIR_VAR];
  if (existing && existsSync(join(existing, 'ca.pem'))) {
    const tls = { ca: join(existing, 'ca.pem'), cert: join(existing, 'server.pem'), key: join(existing, 'server.key') };
    return { tls, release: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-tls-'));
  const tls = makeCerts(dir);
  process.env[DIR_VAR] = dir;
  process.env.NODE_EXTRA_CA_CERTS = tls.ca;
  return {
    tls,
    release: () => {
      delete process.env[DIR_VAR];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

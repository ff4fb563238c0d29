import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { exitCodeOf } from '../../../src/cli/exit-code-of.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { configError, minimal, scratch } from '../config/helpers.js';

// A daemon that listens beyond loopback without a token would serve run pages (emails, plans) and
// /metrics to anyone who reaches it: that config is refused unless it says so explicitly.

const { write } = scratch();
const env = { SECRET: 's' };
const ROOT = new URL('../../../', import.meta.url).pathname;
const TRIAL = join(ROOT, 'docker/trial');

const withHttp = (name: string, http: string) =>
  loadConfig(write(name, minimal(undefined, `daemon:\n  http:\n${http}`)), env);

describe('an unauthenticated daemon off loopback', () => {
  it.each(['0.0.0.0', '::', '10.1.2.3', 'rostersync.internal'])(
    'is refused on %s without a token (exit 78, naming the keys)',
    async (host) => {
      const p = withHttp(`open-${host}.yaml`, `    host: "${host}"\n`);
      const msg = await configError(p);
      expect(msg).toMatch(/daemon\.http\.host/);
      expect(msg).toMatch(/daemon\.http\.token\b/);
      expect(msg).toMatch(/daemon\.http\.tokens/);
      expect(msg).toMatch(/allowUnauthenticated/);
      expect(exitCodeOf(await p.catch((e: unknown) => e))).toBe(EXIT.config);
    },
  );

  it.each(['127.0.0.1', '127.0.0.53', 'localhost', '::1'])('is allowed on loopback %s', async (host) => {
    const { config } = await withHttp(`loopback-${host}.yaml`, `    host: "${host}"\n`);
    expect(config.daemon.http.tokens).toEqual([]);
  });

  it('starts with a token, named tokens, or the explicit opt-out', async () => {
    await withHttp('token.yaml', `    host: 0.0.0.0\n    token: a-status-page-token\n`);
    await withHttp('tokens.yaml', `    host: 0.0.0.0\n    tokens: [{ name: ana, token: ana-token-0123456789 }]\n`);
    const { config } = await withHttp('opt-out.yaml', `    host: 0.0.0.0\n    allowUnauthenticated: true\n`);
    expect(config.daemon.http.allowUnauthenticated).toBe(true);
  });

  it('the docker trial (0.0.0.0 in its container) reads its token from a secret file, and is refused without it', async () => {
    const trialEnv = {
      CHARTIO_API_SECRET_FILE: join(TRIAL, 'secrets/chartio_api_secret'),
      LDAP_BIND_PASSWORD_FILE: join(TRIAL, 'secrets/ldap_admin_password'),
      ROSTERSYNC_HTTP_TOKEN_FILE: join(TRIAL, 'secrets/rostersync_http_token'),
    };
    const { config } = await loadConfig(join(TRIAL, 'config.yaml'), trialEnv);
    expect(config.daemon.http.host).toBe('0.0.0.0');
    expect(config.daemon.http.token).toMatch(/^\S{16,}$/);
    const text = readFileSync(join(TRIAL, 'config.yaml'), 'utf8').replace(/^\s*tokenFile:.*$/m, '');
    const msg = await configError(loadConfig(write('trial-no-token.yaml', text), trialEnv));
    expect(msg).toMatch(/daemon\.http\.host: 0\.0\.0\.0 is not loopback/);
  });
});

import { ConfigError, TargetHttpError } from '../../errors/index.js';
import type { KeyPath } from '../../config/key-path.js';
import type { SendOptions } from '../http/http-client.js';
import { TARGET_KEYS, type TargetKeys } from '../target.js';
import type { GrafanaClient } from './client.js';
import { healthSchema, orgSchema, usersPageSchema } from './payloads.js';
import type { GrafanaTargetConfig } from './schema.js';

/** One credential a sync will use, the config key that holds it, and the call that proves it. */
interface Credential {
  /** Relative to the target: `['admin', 'password']`. */
  id: KeyPath;
  what: string;
  prove: () => Promise<void>;
}

/**
 * For `validate`: the server answers, then every credential the sync will use is tried with a call
 * the sync makes (the default token, each org token, the server admin), not only the first. Every
 * refused one is named by its key, with where its value came from (`keys.fix`), in one ConfigError
 * (exit 78); anything else (unreachable, 5xx) is rethrown as it is.
 */
export async function checkGrafana(
  client: GrafanaClient,
  config: GrafanaTargetConfig,
  keys: TargetKeys = TARGET_KEYS,
): Promise<void> {
  await client.get('api/health', healthSchema);
  const refused: { key: string; line: string }[] = [];
  for (const c of credentialsOf(client, config, keys)) {
    const key = keys.name(c.id);
    try {
      await c.prove();
    } catch (err) {
      if (err instanceof ConfigError) {
        refused.push({ key, line: err.message });
        continue;
      }
      if (!(err instanceof TargetHttpError) || (err.status !== 401 && err.status !== 403)) throw err;
      refused.push({
        key,
        line: `${key}: Grafana refused ${c.what} (${err.message})${hint(c.id, err.status, config, keys)}`,
      });
    }
  }
  if (refused.length > 0) throw new ConfigError(refused.map((r) => r.line).join('\n'), refused[0]!.key);
}

function credentialsOf(client: GrafanaClient, config: GrafanaTargetConfig, keys: TargetKeys): Credential[] {
  const out: Credential[] = [];
  if (config.token !== undefined)
    out.push({
      id: ['token'],
      what: 'the service-account token',
      prove: async () => void (await client.get('api/org', orgSchema)),
    });
  for (const [name, token] of Object.entries(config.orgTokens)) {
    const key = keys.name(['orgTokens', name]);
    out.push({
      id: ['orgTokens', name],
      what: `the service-account token of org "${name}"`,
      prove: () => proveOrgToken(client, key, name, { authorization: `Bearer ${token}` }),
    });
  }
  if (config.admin?.password !== undefined)
    out.push({
      id: ['admin', 'password'],
      what: `the server admin "${config.admin.user}"`,
      // The call the read makes with admin credentials: listing every account.
      prove: async () =>
        void (await client.get(
          'api/users/search?perpage=1&page=1',
          usersPageSchema,
          client.adminAuth('listing users'),
        )),
    });
  return out;
}

/** The token works and belongs to the org it is keyed by (a token of another org would write there). */
async function proveOrgToken(client: GrafanaClient, key: string, name: string, auth: SendOptions): Promise<void> {
  const org = await client.get('api/org', orgSchema, auth);
  if (org.name.toLowerCase() === name.toLowerCase() || org.id === name) return;
  throw new ConfigError(`${key}: the token belongs to org "${org.name}" (id ${org.id}), not "${name}"`, key);
}

function hint(id: KeyPath, status: number, config: GrafanaTargetConfig, keys: TargetKeys): string {
  const admin = id[0] === 'admin';
  const user = `${keys.name(['admin', 'user'])} "${config.admin?.user}"`;
  if (admin && status === 403) return `; ${user} signs in but is not a Grafana server admin`;
  if (status === 403)
    return `; the token signs in but its service account lacks the Admin role: give it the role, or fix ${keys.fix(id)}`;
  if (admin) return `; fix ${keys.fix(id)} (or ${user})`;
  return `; fix ${keys.fix(id)}`;
}

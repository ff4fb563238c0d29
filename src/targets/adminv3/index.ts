import { createHash } from 'node:crypto';
import { ConfigError } from '../../errors/index.js';
import type { Op, TargetCapabilities } from '../../model/index.js';
import type { HttpHooks } from '../http/http-client.js';
import { provingCredential } from '../http/refused-credential.js';
import {
  TARGET_KEYS,
  type BudgetSpec,
  type IdResolver,
  type OpOutcome,
  type Target,
  type TargetKeys,
  type TargetPlugin,
  type TargetRead,
} from '../target.js';
import { AdminV3Client } from './client.js';
import { applyAdminV3Op } from './executor.js';
import { usersPageSchema } from './payloads.js';
import { readAdminV3 } from './reader.js';
import { adminv3TargetSchema, type AdminV3TargetConfig } from './schema.js';

export { adminv3TargetSchema, type AdminV3TargetConfig } from './schema.js';

/**
 * Admin API v3 (seed 002): roles only (one per user: viewer < editor < admin), no teams. Users are
 * invited (pending until they accept) and can be disabled and enabled again. No user cap is documented.
 */
export const ADMINV3_CAPABILITIES: TargetCapabilities = {
  maxUsers: Number.MAX_SAFE_INTEGER,
  maxTeams: 0,
  userCreation: 'invite',
  userNeedsOneTeam: false,
  containers: { types: [], creatable: [], renamable: false, deletable: false },
  membership: 'per-call',
  roles: {
    names: ['viewer', 'editor', 'admin'],
    many: false,
    scope: 'target',
    default: 'viewer',
    caseInsensitive: true,
  },
  caseInsensitiveNames: true,
  emailChange: 'recreate',
  userStatus: true,
};

/** The limit is per API key: the budget is counted on host and a hash of the key (never the key). */
export function keyBudgetName(host: string, token: string): string {
  return `${host}#${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

export class AdminV3Target implements Target {
  readonly kind = 'adminv3';
  readonly capabilities = ADMINV3_CAPABILITIES;
  readonly client: AdminV3Client;
  readonly budget: BudgetSpec;

  constructor(
    private readonly config: AdminV3TargetConfig,
    hooks: HttpHooks = {},
    private readonly keys: TargetKeys = TARGET_KEYS,
  ) {
    if (config.token === undefined)
      throw new ConfigError(`${keys.name(['token'])}: not set (use \${ENV} or tokenFile)`, keys.name(['token']));
    this.client = new AdminV3Client(config.baseUrl, config.token, config.timeoutMs, hooks);
    const rl = config.rateLimit;
    this.budget = {
      key: keyBudgetName(this.client.host, config.token),
      max: rl.max,
      durationMs: rl.duration,
      headroom: rl.headroom,
      followHeaders: config.followRateLimitHeaders,
    };
  }

  async read(): Promise<TargetRead> {
    return readAdminV3(this.client, {
      pageSize: this.config.pageSize,
      concurrency: this.config.readConcurrency,
      ...(this.config.keyOwner ? { keyOwner: this.config.keyOwner } : {}),
    });
  }

  apply(op: Op, _ids: IdResolver): Promise<OpOutcome> {
    return applyAdminV3Op(this.client, op);
  }

  async check(): Promise<void> {
    await provingCredential(
      this.keys.name(['token']),
      'the API key',
      () => this.client.get('users?limit=1&offset=0', usersPageSchema),
      this.keys.fix(['token']),
    );
  }
}

export const adminv3Plugin: TargetPlugin<AdminV3TargetConfig> = {
  kind: 'adminv3',
  configSchema: adminv3TargetSchema,
  create: (config, hooks, keys) => new AdminV3Target(config, hooks, keys),
};

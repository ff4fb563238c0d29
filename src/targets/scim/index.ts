import { createHash } from 'node:crypto';
import { ConfigError } from '../../errors/index.js';
import type { MapOptions, Op, TargetCapabilities } from '../../model/index.js';
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
  type TargetFacts,
  type TargetRead,
} from '../target.js';
import { BulkCreates } from './bulk-creates.js';
import { ScimClient } from './client.js';
import { describeDiscovery, discover, serverFacts, type ScimDiscovery, type ScimServerFacts } from './discovery.js';
import { applyScimOp } from './executor.js';
import { usersPageSchema } from './payloads.js';
import { readScim } from './reader.js';
import { scimTargetSchema, type ScimTargetConfig } from './schema.js';

export { scimTargetSchema, type ScimTargetConfig } from './schema.js';
export { describeDiscovery, type ScimDiscovery, type ScimServerFacts } from './discovery.js';

/** SCIM 2.0 (RFC 7643/7644): users created on their own, flat groups renamed in place, users disabled by active. */
export function scimCapabilities(config: ScimTargetConfig): TargetCapabilities {
  const r = config.roles;
  return {
    maxUsers: Number.MAX_SAFE_INTEGER,
    maxTeams: Number.MAX_SAFE_INTEGER,
    userCreation: 'plain',
    userNeedsOneTeam: false,
    containers: { types: ['team'], creatable: ['team'], renamable: true, deletable: true },
    membership: config.memberships === 'batched' ? 'whole-container' : 'per-call',
    updatableNames: true,
    ...(r
      ? {
          roles: {
            names: r.names,
            many: r.many,
            scope: 'target' as const,
            default: r.default ?? r.names[0]!,
            removable: r.default === undefined,
          },
        }
      : {}),
    caseInsensitiveNames: true,
    // externalId keeps the directory's id: a new address is the same account's userName and email.
    emailChange: 'in-place',
    userStatus: true,
  };
}

export class ScimTarget implements Target {
  readonly kind = 'scim';
  readonly capabilities: TargetCapabilities;
  readonly client: ScimClient;
  readonly budget: BudgetSpec;
  private discovered?: Promise<ScimDiscovery>;

  constructor(
    private readonly config: ScimTargetConfig,
    hooks: HttpHooks = {},
    private readonly keys: TargetKeys = TARGET_KEYS,
  ) {
    if (config.token === undefined)
      throw new ConfigError(`${keys.name(['token'])}: not set (use \${ENV} or tokenFile)`, keys.name(['token']));
    this.client = new ScimClient(config.baseUrl, config.token, config.timeoutMs, hooks);
    const rl = config.rateLimit;
    const key = `${this.client.host}#${createHash('sha256').update(config.token).digest('hex').slice(0, 16)}`;
    this.budget = rl
      ? { key, max: rl.max, durationMs: rl.duration, headroom: rl.headroom }
      : { key, max: 0, durationMs: 1000, headroom: 1 };
    this.capabilities = scimCapabilities(config);
  }

  /**
   * /ServiceProviderConfig, /ResourceTypes, /Schemas: read by every run's read (and stored with the
   * run), and once by a process applying a run stored without them.
   */
  discovery(): Promise<ScimDiscovery> {
    this.discovered ??= discover(this.client).catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  /** With `userName: { attribute }`: the mapping puts the attribute's first value on each person. */
  mapOptions(): MapOptions {
    const from = this.config.userName;
    return typeof from === 'object' ? { accountName: from.attribute } : {};
  }

  async read(): Promise<TargetRead> {
    // Every run reads what the server supports afresh; its ops are applied with it.
    this.discovered = undefined;
    const d = await this.discovery();
    const max = d.filter.maxResults > 0 ? Math.min(d.filter.maxResults, this.config.pageSize) : this.config.pageSize;
    const out = await readScim(this.client, {
      pageSize: max,
      concurrency: this.config.readConcurrency,
      ...(this.config.roles ? { roleAttribute: this.config.roles.attribute } : {}),
      ...(typeof this.config.userName === 'object' ? { accountNames: true } : {}),
    });
    return { actual: out.actual, requests: out.requests + d.requests, learned: { server: { ...serverFacts(d) } } };
  }

  /** With the run's discovery (`learned.server`): no discovery read here; a run stored without it reads it once. */
  async apply(op: Op, ids: IdResolver, learned?: TargetFacts): Promise<OpOutcome> {
    // The run's `server` facts are this plug-in's own ScimServerFacts (written by read() above).
    const discovery = (learned?.server as ScimServerFacts | undefined) ?? (await this.discovery());
    const bulk = this.config.bulk === 'auto' && discovery.bulk.supported && discovery.bulk.maxOperations > 1;
    // One gatherer per set of limits, so creates applied together share a /Bulk call.
    const limits = `${discovery.bulk.maxOperations}/${discovery.bulk.maxPayloadSize}`;
    if (bulk && this.bulkLimits !== limits) {
      this.bulkLimits = limits;
      this.bulkCreates = new BulkCreates(this.client, discovery.bulk);
    }
    return applyScimOp(
      { client: this.client, ids, config: this.config, discovery, ...(bulk ? { bulkCreates: this.bulkCreates } : {}) },
      op,
    );
  }

  private bulkCreates?: BulkCreates;
  private bulkLimits?: string;

  /** The token, then what the server says it supports: the line `validate` prints. */
  async check(): Promise<string> {
    await provingCredential(
      this.keys.name(['token']),
      'the Bearer token',
      () => this.client.get('Users?startIndex=1&count=1', usersPageSchema),
      this.keys.fix(['token']),
    );
    return describeDiscovery(await this.discovery());
  }
}

export const scimPlugin: TargetPlugin<ScimTargetConfig> = {
  kind: 'scim',
  configSchema: scimTargetSchema,
  create: (config, hooks, keys) => new ScimTarget(config, hooks, keys),
};

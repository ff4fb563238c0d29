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
  type TargetFacts,
  type TargetKeys,
  type TargetPlugin,
  type TargetRead,
} from '../target.js';
import { DatacentralClient } from './client.js';
import { applyDatacentralOp } from './executor.js';
import { pageOf, roleSchema } from './payloads.js';
import { readDatacentral } from './reader.js';
import { RoleMaker } from './roles.js';
import { datacentralTargetSchema, type DatacentralTargetConfig } from './schema.js';

export { datacentralTargetSchema, type DatacentralTargetConfig } from './schema.js';

/** The System roles every tenant has. */
export const SYSTEM_ROLES = ['Admin', 'User', 'ReportViewer'];

/**
 * DataCentral: users created with their roles and units in one call, then written whole (one PATCH
 * carries the role list, the unit list and the names); units form a tree and cannot be renamed,
 * moved or deleted; a user holds several target-wide roles, and the last Admin keeps the role.
 */
export const DATACENTRAL_CAPABILITIES: TargetCapabilities = {
  maxUsers: Number.MAX_SAFE_INTEGER,
  maxTeams: Number.MAX_SAFE_INTEGER,
  userCreation: 'plain',
  userNeedsOneTeam: false,
  containers: { types: ['ou'], creatable: ['ou'], renamable: false, deletable: false },
  membership: 'whole-user',
  updatableNames: true,
  roles: {
    names: SYSTEM_ROLES,
    many: true,
    scope: 'target',
    default: 'User',
    keepOne: 'Admin',
    caseInsensitive: true,
    removable: true,
  },
  caseInsensitiveNames: true,
};

export class DatacentralTarget implements Target {
  readonly kind = 'datacentral';
  readonly client: DatacentralClient;
  readonly budget: BudgetSpec;
  readonly capabilities: TargetCapabilities;
  private readonly roles: RoleMaker;

  constructor(
    private readonly config: DatacentralTargetConfig,
    hooks: HttpHooks = {},
    private readonly keys: TargetKeys = TARGET_KEYS,
  ) {
    if (config.token === undefined)
      throw new ConfigError(`${keys.name(['token'])}: not set (use \${ENV} or tokenFile)`, keys.name(['token']));
    this.client = new DatacentralClient(config.baseUrl, config.token, config.timeoutMs, hooks, config.pageSize);
    const rl = config.rateLimit;
    // The limit is not documented per IP or per key: count it per tenant host.
    this.budget = rl
      ? { key: this.client.host, max: rl.max, durationMs: rl.duration, headroom: rl.headroom }
      : { key: this.client.host, max: 0, durationMs: 1000, headroom: 1 };
    this.roles = new RoleMaker(this.client, config.roles);
    this.capabilities = this.withRoles(SYSTEM_ROLES);
  }

  mapOptions() {
    return { units: this.config.units.from, directMembership: this.config.units.membership === 'direct' };
  }

  /** Role names the rules may give: the tenant's, and those the sync may create. */
  private withRoles(tenant: string[]): TargetCapabilities {
    const names = [
      ...new Map([...tenant, ...this.config.roles.map((r) => r.name)].map((n) => [n.toLowerCase(), n])).values(),
    ];
    const base = DATACENTRAL_CAPABILITIES;
    return {
      ...base,
      roles: { ...base.roles!, names },
      containers: { ...base.containers, recreateRenamed: this.config.units.createRenamedOUs },
    };
  }

  /** Learns the tenant's role names: the rules may give them, and the sync creates only the others. */
  async read(): Promise<TargetRead> {
    const before = this.client.reads;
    const r = await readDatacentral(this.client);
    const roles = r.roles.map((x) => x.name);
    return {
      actual: r.actual,
      requests: this.client.reads - before,
      learned: { capabilities: this.withRoles(roles), roles },
    };
  }

  apply(op: Op, ids: IdResolver, learned: TargetFacts = {}): Promise<OpOutcome> {
    // The run's read says which roles exist: no process reads them again for the run's ops.
    if (learned.roles) this.roles.adopt(learned.roles);
    return applyDatacentralOp(
      {
        client: this.client,
        ids,
        roles: this.roles,
        userType: this.config.userType,
        linkEntraGroups: this.config.units.linkEntraGroups,
      },
      op,
    );
  }

  async check(): Promise<void> {
    await provingCredential(
      this.keys.name(['token']),
      'the API key',
      () => this.client.get('roles?page=1&pageSize=1', pageOf(roleSchema)),
      this.keys.fix(['token']),
    );
  }
}

export const datacentralPlugin: TargetPlugin<DatacentralTargetConfig> = {
  kind: 'datacentral',
  configSchema: datacentralTargetSchema,
  create: (config, hooks, keys) => new DatacentralTarget(config, hooks, keys),
};

import { ConfigError } from '../../errors/index.js';
import type { Op, TargetCapabilities } from '../../model/index.js';
import type { HttpHooks } from '../http/http-client.js';
import { provingCredential } from '../http/refused-credential.js';
import {
  TARGET_KEYS,
  type BudgetSpec,
  type IdResolver,
  type OpOutcome,
  type ReadHint,
  type Target,
  type TargetKeys,
  type TargetPlugin,
  type TargetRead,
} from '../target.js';
import { ChartioClient } from './client.js';
import { applyChartioGrant, readChartioAccess } from './access.js';
import { applyChartioOp } from './executor.js';
import { readActual } from './reader.js';
import { chartioTargetSchema, type ChartioTargetConfig } from './schema.js';

export { ChartioClient } from './client.js';
export { readActual } from './reader.js';
export { chartioTargetSchema, type ChartioTargetConfig } from './schema.js';

/**
 * Seed 000: 10,000 users and 2,000 teams per org; a user is created on a team and must keep one;
 * team names are unique without regard to case (255 characters at most); no roles (the Owners
 * team is the admin rule, carried on the team read as `keepsMember`).
 */
export const CHARTIO_CAPABILITIES: TargetCapabilities = {
  maxUsers: 10_000,
  maxTeams: 2_000,
  userCreation: 'with-container',
  userNeedsOneTeam: true,
  containers: { types: ['team'], creatable: ['team'], renamable: true, deletable: true },
  membership: 'per-call',
  caseInsensitiveNames: true,
  maxNameLength: 255,
  // Emails are read-only through the API: a changed email gets a new account.
  emailChange: 'recreate',
  access: {
    types: ['dashboard', 'datasource'],
    levels: { dashboard: ['viewer', 'editor', 'admin'], datasource: ['editor', 'admin'] },
    maxGrantsPerResource: 100,
    write: 'per-grant',
  },
};

export type ChartioHooks = HttpHooks;

export class ChartioTarget implements Target {
  readonly kind = 'chartio';
  readonly capabilities = CHARTIO_CAPABILITIES;
  readonly client: ChartioClient;
  readonly budget: BudgetSpec;

  constructor(
    config: ChartioTargetConfig,
    hooks: ChartioHooks = {},
    private readonly keys: TargetKeys = TARGET_KEYS,
    private readonly readConcurrency = 4,
  ) {
    if (config.apiSecret === undefined)
      throw new ConfigError(
        `${keys.name(['apiSecret'])}: not set (use \${ENV} or apiSecretFile)`,
        keys.name(['apiSecret']),
      );
    this.client = new ChartioClient({
      baseUrl: config.baseUrl,
      org: config.org,
      apiKey: config.apiKey,
      apiSecret: config.apiSecret,
      timeoutMs: config.timeoutMs,
      ...hooks,
    });
    // The seed's limit is per client IP: one budget per API host.
    this.budget = {
      key: this.client.host,
      max: config.rateLimit.max,
      durationMs: config.rateLimit.duration,
      headroom: config.rateLimit.headroom,
    };
  }

  async read(hint: ReadHint = {}): Promise<TargetRead> {
    const [read, access] = await Promise.all([
      readActual(this.client, this.readConcurrency),
      hint.access ? readChartioAccess(this.client, hint.access, this.readConcurrency) : undefined,
    ]);
    if (!access) return read;
    return { actual: { ...read.actual, resources: access.resources }, requests: read.requests + access.requests };
  }

  apply(op: Op, ids: IdResolver): Promise<OpOutcome> {
    if (op.kind === 'setGrant' || op.kind === 'removeGrant') return applyChartioGrant(this.client, op, ids);
    return applyChartioOp(this.client, op, ids);
  }

  /** Connectivity and credentials: the org root answers 200. */
  async check(): Promise<void> {
    const { name, fix } = this.keys;
    await provingCredential(
      `${name(['apiKey'])} / ${name(['apiSecret'])}`,
      'the API key and secret',
      () => this.client.send('GET', ''),
      `${fix(['apiKey'])} or ${fix(['apiSecret'])}`,
    );
  }
}

export const chartioPlugin: TargetPlugin<ChartioTargetConfig> = {
  kind: 'chartio',
  configSchema: chartioTargetSchema,
  create: (config, hooks, keys) => new ChartioTarget(config, hooks, keys),
};

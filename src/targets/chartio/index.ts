import type { ChartioTargetConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors/index.js';
import type { Op, TargetCapabilities } from '../../model/index.js';
import type { IdResolver, OpOutcome, Target, TargetRead } from '../target.js';
import { ChartioClient, type ChartioClientOptions } from './client.js';
import { applyChartioOp } from './executor.js';
import { readActual } from './reader.js';

export { ChartioClient } from './client.js';
export { readActual } from './reader.js';

/** Seed 000: 10,000 users and 2,000 teams per org; a user is created on a team and keeps one. */
export const CHARTIO_CAPABILITIES: TargetCapabilities = { maxUsers: 10_000, maxTeams: 2_000, createUserNeedsTeam: true, userNeedsOneTeam: true };

export type ChartioHooks = Pick<ChartioClientOptions, 'beforeRequest' | 'onResponse' | 'onRateLimited' | 'readAttempts' | 'backoffMs'>;

export class ChartioTarget implements Target {
  readonly kind = 'chartio';
  readonly capabilities = CHARTIO_CAPABILITIES;
  readonly client: ChartioClient;

  constructor(config: ChartioTargetConfig, hooks: ChartioHooks = {}, private readonly readConcurrency = 4) {
    if (config.apiSecret === undefined) throw new ConfigError('target.apiSecret: not set (use ${ENV} or apiSecretFile)', 'target.apiSecret');
    this.client = new ChartioClient({
      baseUrl: config.baseUrl, org: config.org, apiKey: config.apiKey, apiSecret: config.apiSecret, timeoutMs: config.timeoutMs, ...hooks,
    });
  }

  get budgetKey(): string {
    return this.client.host;
  }

  read(): Promise<TargetRead> {
    return readActual(this.client, this.readConcurrency);
  }

  apply(op: Op, ids: IdResolver): Promise<OpOutcome> {
    return applyChartioOp(this.client, op, ids);
  }

  /** Connectivity and credentials: the org root answers 200. */
  async check(): Promise<void> {
    await this.client.send('GET', '');
  }
}

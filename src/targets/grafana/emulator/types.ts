import type { FaultOptions, LatencyOption, RateLimitOption } from '../../../emulator/index.js';
import type { Logger } from '../../../log/logger.js';

export type { EmulatorStats, LatencyOption, RateLimitOption, Reply, RequestLogEntry } from '../../../emulator/index.js';

/** Grafana's org roles; "None" is valid since Grafana 10 (pkg/models/roletype). */
export type OrgRole = 'None' | 'Viewer' | 'Editor' | 'Admin';
export const ORG_ROLES: readonly OrgRole[] = ['None', 'Viewer', 'Editor', 'Admin'];

/** A service-account token: acts in one org with one role, never a server admin. */
export interface ServiceAccountToken {
  token: string;
  orgId: number;
  role: OrgRole;
}

export interface GrafanaEmulatorOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Grafana version answered and gated on (bulk team membership exists from 11.1.0). @defaultValue '11.3.0' */
  version?: string;
  /** Login of the server admin that Basic auth accepts (user 1). @defaultValue 'admin' */
  adminUser?: string;
  /** @defaultValue 'admin' */
  adminPassword?: string;
  /** @defaultValue [{token: 'glsa_emulator_token', orgId: 1, role: 'Admin'}] */
  tokens?: ServiceAccountToken[];
  /** `[users] auto_assign_org`: new users join an existing org instead of getting their own. @defaultValue true */
  autoAssignOrg?: boolean;
  /** `[users] auto_assign_org_id`. @defaultValue 1 */
  autoAssignOrgId?: number;
  /** `[users] auto_assign_org_role`. @defaultValue 'Viewer' */
  autoAssignOrgRole?: Exclude<OrgRole, 'None'>;
  /** Per client IP, sliding window; Grafana documents none. @defaultValue false */
  rateLimit?: RateLimitOption | false;
  /** @defaultValue 0 */
  latencyMs?: LatencyOption;
  /** Share of requests answered 500/502/503 without being applied. @defaultValue 0 */
  errorRate?: number;
  /** Share of write requests applied, then answered 500/502/503. @defaultValue 0 */
  appliedButErrorRate?: number;
  /** Share of requests whose socket is destroyed without an answer. @defaultValue 0 */
  resetRate?: number;
  /** @defaultValue 1 */
  seed?: number;
  /** @defaultValue Date.now */
  now?: () => number;
  /** @defaultValue 100000 */
  maxLogEntries?: number;
  /** @defaultValue a silent logger */
  logger?: Logger;
}

export type ResolvedGrafanaOptions = Required<Omit<GrafanaEmulatorOptions, 'logger'>> & FaultOptions;

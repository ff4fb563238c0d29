import type { FaultInput, FaultOptions, RateLimitOption } from '../index.js';

export type { EmulatorStats, LatencyOption, RateLimitOption, Reply, RequestLogEntry } from '../index.js';

/** Grafana's org roles; "None" is valid since Grafana 10 (pkg/models/roletype). */
export type OrgRole = 'None' | 'Viewer' | 'Editor' | 'Admin';
export const ORG_ROLES: readonly OrgRole[] = ['None', 'Viewer', 'Editor', 'Admin'];

/** A service-account token: acts in one org with one role, never a server admin. */
export interface ServiceAccountToken {
  token: string;
  orgId: number;
  role: OrgRole;
}

export interface GrafanaEmulatorOptions extends FaultInput {
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
}

export type ResolvedGrafanaOptions = Required<Omit<GrafanaEmulatorOptions, 'logger'>> & FaultOptions;

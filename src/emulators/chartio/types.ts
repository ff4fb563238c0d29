import type { FaultInput, FaultOptions, RateLimitOption } from '../index.js';
import type { Logger } from '../../log/logger.js';

export type { EmulatorStats, LatencyOption, RateLimitOption, Reply, RequestLogEntry } from '../index.js';

export type AccessLevel = 'viewer' | 'editor' | 'admin';

/** Bulk initial data: loaded without calls, caps not enforced (tests preload thousands). */
export interface PreloadData {
  /** Users with their team names; teams named here are created when missing. */
  users?: Array<string | { email: string; displayName?: string; teams?: string[] }>;
  /** Teams with member emails; members are created when missing; an existing name merges. */
  teams?: Array<string | { name: string; members?: string[] }>;
  dashboards?: Array<{ title: string; slug?: string; linkSharingAccess?: 'none' | 'viewer' | 'editor' }>;
  datasources?: Array<{ alias: string; slug?: string; dstype?: string }>;
}

export interface ChartioEmulatorOptions extends FaultInput {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Org slug in `/v1/{org}`. @defaultValue 'example-org' */
  org?: string;
  /** @defaultValue 'emulator-key' */
  apiKey?: string;
  /** @defaultValue 'emulator-secret' */
  apiSecret?: string;
  /** @defaultValue 10000 */
  maxUsers?: number;
  /** @defaultValue 2000 */
  maxTeams?: number;
  /** Permissions per dashboard or datasource. @defaultValue 100 */
  maxPermissions?: number;
  /** @defaultValue 100 */
  pageSize?: number;
  /** Per client IP, sliding window. `false` turns it off. @defaultValue {max: 5000, windowMs: 300000} */
  rateLimit?: RateLimitOption | false;
  /** The one member of the Owners team at start. @defaultValue 'owner@example.com' */
  ownerEmail?: string;
  /** Start with the "Added from Dashboard" team holding one shared viewer. @defaultValue false */
  addedFromDashboard?: boolean;
  preload?: PreloadData;
  /** Prefix of HAL hrefs and Location headers; the spec's examples have none (`/example-org/users/2/`). @defaultValue '' */
  hrefBase?: string;
}

export type ResolvedOptions = Required<Omit<ChartioEmulatorOptions, 'preload' | 'logger'>> &
  FaultOptions & {
    preload: PreloadData | undefined;
    logger: Logger;
  };

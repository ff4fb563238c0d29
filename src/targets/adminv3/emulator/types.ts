import type { FaultOptions, LatencyOption, RateLimitOption } from '../../../emulator/index.js';
import type { Logger } from '../../../log/logger.js';

export type { EmulatorStats, Reply, RequestLogEntry } from '../../../emulator/index.js';

export type Role = 'viewer' | 'editor' | 'admin';
export type Status = 'active' | 'pending' | 'disabled';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];
export const STATUSES: readonly Status[] = ['active', 'pending', 'disabled'];

/** An API key and the user it belongs to (created active at start, with the role given). */
export interface ApiKey {
  key: string;
  email: string;
  /** @defaultValue 'admin' */
  role?: Role;
}

export interface AdminV3EmulatorOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue [{key: 'sk_test_emulator', email: 'owner@example.com', role: 'admin'}] */
  keys?: ApiKey[];
  /** Invitations are accepted this long after they were sent; false: only through POST /_emulator/accept-invitations. @defaultValue false */
  acceptInvitationsAfterMs?: number | false;
  /** Writes need the key's user to be an active admin (else 403 insufficient_permissions). @defaultValue true */
  enforcePermissions?: boolean;
  /** The key's own user cannot be demoted, disabled or deleted (403 cannot_modify_own_user). @defaultValue true */
  protectOwnUser?: boolean;
  /** Per API key, fixed windows aligned to the epoch (X-RateLimit-Reset). @defaultValue {max: 1000, windowMs: 60000, fixed: true} */
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

export type ResolvedAdminV3Options = Required<Omit<AdminV3EmulatorOptions, 'logger'>> & FaultOptions;

import type { FaultInput, FaultOptions, RateLimitOption } from '../index.js';

export type { EmulatorStats, Reply, RequestLogEntry } from '../index.js';

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

export interface AdminV3EmulatorOptions extends FaultInput {
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
}

export type ResolvedAdminV3Options = Required<Omit<AdminV3EmulatorOptions, 'logger'>> & FaultOptions;

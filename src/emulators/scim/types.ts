import type { FaultInput, FaultOptions, RateLimitOption } from '../index.js';

export type { EmulatorStats, Reply, RequestLogEntry } from '../index.js';

/** How the server takes a removal of members (server profiles differ here). */
export type MemberRemoval = 'filter-path' | 'value-list' | 'both';

export interface ScimEmulatorOptions extends FaultInput {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** The Bearer token it accepts. @defaultValue 'scim-emulator-token' */
  token?: string;
  /** PATCH supported (else 501 and patch.supported false). @defaultValue true */
  patch?: boolean;
  /** /Bulk with its limits, or false (404 and bulk.supported false). @defaultValue false */
  bulk?: { maxOperations: number; maxPayloadSize: number } | false;
  /** Filters supported (else filter.supported false and a filter is 400 invalidFilter). @defaultValue true */
  filter?: boolean;
  /** filter.maxResults: the most resources one list page returns. @defaultValue 200 */
  maxResults?: number;
  /** @defaultValue 'both' */
  memberRemoval?: MemberRemoval;
  /** Per token, sliding window; none unless set. @defaultValue false */
  rateLimit?: RateLimitOption | false;
}

export type ResolvedScimOptions = Required<Omit<ScimEmulatorOptions, 'logger'>> & FaultOptions;

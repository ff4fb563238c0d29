import type { FaultOptions, LatencyOption, RateLimitOption } from '../../../emulator/index.js';
import type { Logger } from '../../../log/logger.js';

export interface DcEmulatorOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** The tenant API key the emulator accepts as a Bearer token. @defaultValue 'dc_emulator_key' */
  apiKey?: string;
  /** Email of the tenant's first user, who holds Admin. @defaultValue 'owner@tenant.example' */
  ownerEmail?: string;
  /** Per client IP, sliding window; the API documents none. @defaultValue false */
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

export type ResolvedDcOptions = Required<Omit<DcEmulatorOptions, 'logger'>> & FaultOptions;

export interface UserRec {
  id: string;
  type: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: string[];
  organizationUnits: string[];
  createdAt: string;
}
export interface RoleRec {
  id: string;
  name: string;
  type: string;
  code: string | null;
  description: string | null;
}
export interface UnitRec {
  id: string;
  name: string;
  parentId: string;
  entraGroupId: string | null;
}

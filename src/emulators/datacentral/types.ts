import type { FaultInput, FaultOptions, RateLimitOption } from '../index.js';

export interface DcEmulatorOptions extends FaultInput {
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

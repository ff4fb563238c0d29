import { EmulatorOptionError, checkInt, type OptionParts } from '../index.js';
import type { ResolvedOptions } from './types.js';

export { EmulatorOptionError };

export const DEFAULT_RATE_LIMIT = { max: 5000, windowMs: 300_000 } as const;

/** Chartio's own options: defaults and checks (port and the shared knobs are the start-up's). */
export const chartioOptions: OptionParts<ResolvedOptions> = {
  defaults: () => ({
    org: 'example-org',
    apiKey: 'emulator-key',
    apiSecret: 'emulator-secret',
    maxUsers: 10_000,
    maxTeams: 2_000,
    maxPermissions: 100,
    pageSize: 100,
    rateLimit: { ...DEFAULT_RATE_LIMIT },
    ownerEmail: 'owner@example.com',
    addedFromDashboard: false,
    hrefBase: '',
    preload: undefined,
  }),
  check(o) {
    checkInt('maxUsers', o.maxUsers, 0);
    checkInt('maxTeams', o.maxTeams, 1);
    checkInt('maxPermissions', o.maxPermissions, 0);
    checkInt('pageSize', o.pageSize, 1);
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(o.org))
      throw new EmulatorOptionError(`org: expected a slug of letters, digits, '-' or '_', got "${o.org}"`);
    if (!o.apiKey || !o.apiSecret) throw new EmulatorOptionError('apiKey and apiSecret: expected non-empty strings');
    if (o.apiKey.includes(':')) throw new EmulatorOptionError('apiKey: must not contain ":" (Basic auth separator)');
    if (!o.ownerEmail.includes('@'))
      throw new EmulatorOptionError(`ownerEmail: expected an email, got "${o.ownerEmail}"`);
  },
};

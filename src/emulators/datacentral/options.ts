import { EmulatorOptionError, type OptionParts } from '../index.js';
import type { ResolvedDcOptions } from './types.js';

export const DEFAULT_API_KEY = 'dc_emulator_key';

/** The tenant's own options: defaults and checks (port and the shared knobs are the start-up's). */
export const dcOptions: OptionParts<ResolvedDcOptions> = {
  defaults: () => ({ apiKey: DEFAULT_API_KEY, ownerEmail: 'owner@tenant.example', rateLimit: false }),
  check(o) {
    if (!o.apiKey) throw new EmulatorOptionError('apiKey: expected a non-empty string');
    if (!/^[^\s@]+@[^\s@]+$/.test(o.ownerEmail))
      throw new EmulatorOptionError(`ownerEmail: expected an email address, got "${o.ownerEmail}"`);
  },
};

import { EmulatorOptionError, checkInt, type OptionParts } from '../index.js';
import { ROLES, type ResolvedAdminV3Options } from './types.js';

export const DEFAULT_KEY = 'sk_test_emulator';
export const DEFAULT_OWNER = 'owner@example.com';

/** Admin API v3's own options: defaults and checks (port and the shared knobs are the start-up's). */
export const adminv3Options: OptionParts<ResolvedAdminV3Options> = {
  defaults: () => ({
    keys: [{ key: DEFAULT_KEY, email: DEFAULT_OWNER, role: 'admin' }],
    acceptInvitationsAfterMs: false,
    enforcePermissions: true,
    protectOwnUser: true,
    // Seed 002: 1,000 requests per minute per API key.
    rateLimit: { max: 1000, windowMs: 60_000, fixed: true },
  }),
  check(o) {
    if (o.acceptInvitationsAfterMs !== false) checkInt('acceptInvitationsAfterMs', o.acceptInvitationsAfterMs, 0);
    if (o.keys.length === 0) throw new EmulatorOptionError('keys: expected at least one API key');
    for (const [i, k] of o.keys.entries()) {
      if (!/^sk_[A-Za-z0-9_]+$/.test(k.key))
        throw new EmulatorOptionError(`keys.${i}.key: expected sk_ followed by letters, digits or _, got "${k.key}"`);
      if (!k.email.includes('@')) throw new EmulatorOptionError(`keys.${i}.email: expected an email, got "${k.email}"`);
      if (k.role !== undefined && !ROLES.includes(k.role))
        throw new EmulatorOptionError(`keys.${i}.role: expected one of ${ROLES.join(', ')}, got "${k.role}"`);
    }
  },
};

import { EmulatorOptionError, checkInt, type OptionParts } from '../index.js';
import type { ResolvedScimOptions } from './types.js';

export const DEFAULT_TOKEN = 'scim-emulator-token';

export const scimOptions: OptionParts<ResolvedScimOptions> = {
  defaults: () => ({
    token: DEFAULT_TOKEN,
    patch: true,
    bulk: false,
    filter: true,
    maxResults: 200,
    memberRemoval: 'both',
    rateLimit: false,
  }),
  check(o) {
    if (o.token.trim() === '') throw new EmulatorOptionError('token: expected a non-empty string');
    checkInt('maxResults', o.maxResults, 1);
    if (o.bulk !== false) {
      checkInt('bulk.maxOperations', o.bulk.maxOperations, 1);
      checkInt('bulk.maxPayloadSize', o.bulk.maxPayloadSize, 1);
    }
    if (!['filter-path', 'value-list', 'both'].includes(o.memberRemoval))
      throw new EmulatorOptionError(
        `memberRemoval: expected filter-path, value-list or both, got "${o.memberRemoval}"`,
      );
  },
};

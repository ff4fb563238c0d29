import { EmulatorOptionError, checkFaultOptions, checkInt, faultDefaults, mergeDefined } from '../index.js';
import type { DcEmulatorOptions, ResolvedDcOptions } from './types.js';

export const DEFAULT_API_KEY = 'dc_emulator_key';

export function resolveDcOptions(input: DcEmulatorOptions = {}, base?: ResolvedDcOptions): ResolvedDcOptions {
  const defaults: ResolvedDcOptions = {
    ...faultDefaults(),
    port: 0,
    host: '127.0.0.1',
    apiKey: DEFAULT_API_KEY,
    ownerEmail: 'owner@tenant.example',
    rateLimit: false,
  };
  const o = mergeDefined(base ?? defaults, input);
  checkInt('port', o.port, 0);
  checkFaultOptions(o);
  if (!o.apiKey) throw new EmulatorOptionError('apiKey: expected a non-empty string');
  if (!/^[^\s@]+@[^\s@]+$/.test(o.ownerEmail))
    throw new EmulatorOptionError(`ownerEmail: expected an email address, got "${o.ownerEmail}"`);
  return o;
}

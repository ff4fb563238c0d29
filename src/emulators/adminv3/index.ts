export { createAdminV3Emulator, startAdminV3EmulatorFromArgs, type AdminV3Emulator } from './server.js';
export { DEFAULT_KEY, DEFAULT_OWNER } from './options.js';
export type { UserRec } from './store.js';
export type { AdminV3EmulatorOptions, ApiKey, ResolvedAdminV3Options, Role, Status } from './types.js';

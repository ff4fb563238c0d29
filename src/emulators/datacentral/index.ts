export { createDcEmulator, dumpOf, type DcDump, type DcEmulator } from './server.js';
export { DEFAULT_API_KEY } from './options.js';
export { DcStore } from './store.js';
export type { DcEmulatorOptions, ResolvedDcOptions, RoleRec, UnitRec, UserRec } from './types.js';

export { createScimEmulator, type ScimEmulator } from './server.js';
export { DEFAULT_TOKEN } from './options.js';
export type { GroupRec, ScimStore, UserRec } from './store.js';
export type { MemberRemoval, ResolvedScimOptions, ScimEmulatorOptions } from './types.js';

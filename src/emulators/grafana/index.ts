export { createGrafanaEmulator, type GrafanaEmulator } from './server.js';
export { startGrafanaEmulatorFromArgs, type GrafanaEmulatorArgs } from './cli.js';
export { DEFAULT_TOKEN, versionAtLeast } from './options.js';
export { GrafanaStateApi, type GrafanaDump } from './state-api.js';
export type { GrantSubject as GrafanaGrantSubject, Level as GrafanaLevel, ResourceRec } from './resources.js';
export { MAIN_ORG_NAME, type GrafanaStore, type OrgRec, type TeamRec, type UserRec } from './store.js';
export { EmulatorOptionError } from '../index.js';
export type {
  EmulatorStats,
  GrafanaEmulatorOptions,
  OrgRole,
  RequestLogEntry,
  ResolvedGrafanaOptions,
  ServiceAccountToken,
} from './types.js';

export { createChartioEmulator, type ChartioEmulator } from './server.js';
export { startEmulatorFromArgs, type EmulatorArgs } from './cli.js';
export { EmulatorOptionError, DEFAULT_RATE_LIMIT } from './options.js';
export { SHARED_VIEWER_EMAIL } from './initial-state.js';
export { OWNERS_TEAM_NAME, DASHBOARD_TEAM_NAME, type OrgStore, type UserRec, type TeamRec } from './store.js';
export type { EmulatorDump } from './dump.js';
export type {
  ChartioEmulatorOptions,
  EmulatorStats,
  LatencyOption,
  PreloadData,
  RateLimitOption,
  RequestLogEntry,
} from './types.js';

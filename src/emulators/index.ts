export { EmulatorOptionError, checkFaultOptions, checkInt, faultDefaults, mergeDefined } from './options.js';
export { FaultDice, FixedWindowLimiter, SlidingWindowLimiter, type Admission, type Limiter } from './faults.js';
export { createPrng } from './prng.js';
export { EmulatorRuntime, emptyStats } from './runtime.js';
export { CONTROL_PREFIX, controlReply, liveOptions } from './control.js';
export {
  handleRequest,
  listen,
  type Dispatch,
  type EmulatorRequest,
  type Listening,
  type PipelineHooks,
} from './pipeline.js';
export {
  LIVE_OPTION_KEYS,
  type EmulatorStats,
  type FaultInput,
  type FaultOptions,
  type LatencyOption,
  type LiveOptions,
  type RateLimitOption,
  type RateWindow,
  type Reply,
  type RequestLogEntry,
} from './types.js';
export {
  resolveEmulatorOptions,
  startEmulator,
  type EmulatorParts,
  type Live,
  type OptionParts,
  type ServedOptions,
  type StartedEmulator,
} from './start.js';
export type { DemoTarget, EmulatorPlugin, RunningEmulator, SharedEmulatorArgs } from './emulator-plugin.js';

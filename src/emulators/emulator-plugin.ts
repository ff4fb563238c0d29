import type { LatencyOption, RateLimitOption } from './types.js';

/** Flags every emulator takes (`rostersync emulate`). */
export interface SharedEmulatorArgs {
  port: number;
  host: string;
  rateLimit?: RateLimitOption | false;
  latencyMs?: LatencyOption;
  errorRate?: number;
  seed?: number;
}

export interface RunningEmulator {
  /** One line for the operator: where it listens and what to configure. */
  summary: string;
  close(): Promise<void>;
}

/** A demo target: an in-process emulator, the sample config's environment, and what to show after. */
export interface DemoTarget extends RunningEmulator {
  /** Variables the sample config reads (base URL, credentials). */
  env: Record<string, string>;
  /** Write calls the emulator has received. */
  writes(): number;
  /** The state after the sync, in a sentence. */
  describeState(): string;
  /** How to plan against a standing emulator afterwards. */
  tryItYourself: string[];
}

/**
 * What a target plug-in offers the CLI's `emulate` and `demo`: loaded on demand, so production
 * start-up never imports an emulator.
 */
export interface EmulatorPlugin {
  defaultPort: number;
  /** The target's own `emulate` flags (node:util parseArgs options). */
  flags: Record<string, { type: 'string' | 'boolean' }>;
  /** Help lines for those flags and what the emulator answers like. */
  help: string;
  start(
    shared: SharedEmulatorArgs,
    flags: Record<string, string | boolean | undefined>,
    env: NodeJS.ProcessEnv,
  ): Promise<RunningEmulator>;
  /** The bundled sample config for this target (absolute path). */
  demoConfig: string;
  startDemo(): Promise<DemoTarget>;
}

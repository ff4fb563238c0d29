import { EmulatorOptionError, checkFaultOptions, checkInt, faultDefaults, mergeDefined } from './options.js';
import { listen, type Dispatch, type PipelineHooks } from './pipeline.js';
import { EmulatorRuntime } from './runtime.js';
import type { EmulatorStats, FaultOptions, RequestLogEntry } from './types.js';

/** The options of an emulator that listens: the shared knobs, where it listens, and its own. */
export interface ServedOptions extends FaultOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
}

/** Options whose defaults the start-up gives every emulator (the rate limit is each emulator's own). */
type SharedDefaults = Exclude<keyof FaultOptions, 'rateLimit'> | 'port' | 'host';

/** Read fresh per request, so reset() and setOptions() apply at once. */
export interface Live<O, S> {
  options(): O;
  state(): S;
}

/** An emulator's own options: their defaults and checks. */
export interface OptionParts<O extends ServedOptions> {
  /** Defaults of its own options, its rate limit included (port 0, 127.0.0.1 and the shared knobs come with the start-up). */
  defaults(): Omit<O, SharedDefaults>;
  /** Checks its own options, after port and the shared knobs; throws EmulatorOptionError. */
  check?(o: O): void;
}

/** What one emulator brings to the shared start-up; everything else is the same for all. */
export interface EmulatorParts<O extends ServedOptions, S, X extends object> extends OptionParts<O> {
  /** The target kind: prefixes log lines. */
  name: string;
  /** A fresh domain state: at start and on reset. */
  initialState(o: O): S;
  /** Its answers for the pipeline's generic stages (429, 5xx, own control endpoints). */
  hooks(reset: () => void, live: Live<O, S>): PipelineHooks;
  /** Auth, routes and handlers. */
  dispatch(live: Live<O, S>): Dispatch;
  /** What a client's base URL adds to where it listens, when `url` includes it (e.g. '/v1'). @defaultValue '' */
  urlPath?: string;
  /** Fields of the "listening" debug line besides the URL. */
  describe?(o: O): Record<string, unknown>;
  /** After a live option change: rebuild what derives from the options. */
  optionsChanged?(before: O, after: O): void;
  /** Its own members (state getters, dump, preload, ...); getters stay getters. */
  expose(live: Live<O, S>): X;
}

/** What every emulator offers, besides its own members. */
export interface StartedEmulator<O extends ServedOptions> {
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<O>;
  /** Every request, oldest first (bounded by maxLogEntries); cleared in place by reset(). */
  readonly requestLog: RequestLogEntry[];
  stats(): EmulatorStats;
  /** Fresh domain state, empty log, zero stats, fresh rate window and PRNG. */
  reset(): void;
  /** Change behaviour live (checked as at start; a bad value changes nothing). port and host are fixed once listening. */
  setOptions(partial: object): void;
  close(): Promise<void>;
}

/**
 * Defaults (the shared knobs, port 0, 127.0.0.1, then the emulator's own) under `input`, or `input`
 * over `base` for a live change; then checks port, the shared knobs and the emulator's own.
 */
export function resolveEmulatorOptions<O extends ServedOptions>(parts: OptionParts<O>, input: object, base?: O): O {
  const o = mergeDefined(base ?? ({ ...faultDefaults(), port: 0, host: '127.0.0.1', ...parts.defaults() } as O), input);
  checkInt('port', o.port, 0);
  checkFaultOptions(o);
  parts.check?.(o);
  return o;
}

/**
 * Starts an emulator: resolves and checks its options, keeps its state with the shared runtime
 * (fault dice, rate window, request log, stats), serves the request pipeline and the /_emulator/*
 * control endpoints on host:port (127.0.0.1 and a free port by default) until close().
 */
export async function startEmulator<O extends ServedOptions, S, X extends object>(
  parts: EmulatorParts<O, S, X>,
  input: object,
): Promise<StartedEmulator<O> & X> {
  const resolve = (partial: object, base?: O) => resolveEmulatorOptions(parts, partial, base);
  const runtime = new EmulatorRuntime<O>(resolve(input), resolve);
  let state = parts.initialState(runtime.options);
  const live: Live<O, S> = { options: () => runtime.options, state: () => state };
  const reset = () => {
    state = parts.initialState(runtime.options);
    runtime.resetRuntime();
  };
  const http = await listen(
    runtime,
    parts.hooks(reset, live),
    parts.dispatch(live),
    runtime.options.host,
    runtime.options.port,
  );
  runtime.options.logger.debug(
    { url: http.url, ...parts.describe?.(runtime.options) },
    `${parts.name} emulator listening`,
  );

  const shared: StartedEmulator<O> = {
    url: http.url + (parts.urlPath ?? ''),
    port: http.port,
    get options() {
      return runtime.options;
    },
    requestLog: runtime.log,
    stats: () => runtime.statsSnapshot(),
    reset,
    setOptions(partial) {
      const p = partial as Partial<ServedOptions>;
      if (p.port !== undefined || p.host !== undefined)
        throw new EmulatorOptionError('port and host cannot change while listening');
      const before = runtime.options;
      runtime.setOptions(partial);
      parts.optionsChanged?.(before, runtime.options);
    },
    close: http.close,
  };
  // Copied as descriptors, so the emulator's getters (its live state) stay getters.
  return Object.defineProperties(shared, Object.getOwnPropertyDescriptors(parts.expose(live))) as StartedEmulator<O> &
    X;
}

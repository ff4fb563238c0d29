import type { FaultInput, RateLimitOption, RequestLogEntry } from '../../../src/emulators/index.js';
import type { Snapshot } from '../../../src/model/index.js';

/**
 * A target's end state in one shape for every target: users by email with their roles (sorted;
 * empty where the target has no roles), containers (teams, units) by name with their members'
 * emails (sorted). The org's own accounts (owner, server admin, the API key's user) are left out.
 */
export interface NormalState {
  users: Record<string, string[]>;
  containers: Record<string, string[]>;
}

/** What the directory changed between two days, where the end state alone cannot tell. */
export interface DayChange {
  /** A container whose group was renamed: [old name, new name]. */
  renamed?: [string, string];
  /** A person whose email changed (same directory id): [old address, new address]. */
  emailChanged?: [string, string];
}

/** What the suite needs of any emulator. */
export interface ConformanceEmulator {
  readonly url: string;
  readonly requestLog: RequestLogEntry[];
  setOptions(partial: { rateLimit?: RateLimitOption | false }): void;
  close(): Promise<void>;
}

/** The emulator's options the suite turns (the shared fault knobs and its rate limit). */
export type EmulatorFaults = FaultInput & { rateLimit?: RateLimitOption | false };

/**
 * Everything the conformance suite knows of one target kind: one file per kind,
 * test/support/conformance/<kind>.ts, exporting `adapter`. The suite runs every kind in
 * src/targets/registry.ts through the same scenarios with it, and fails when a kind has none.
 */
export interface ConformanceAdapter<E extends ConformanceEmulator = ConformanceEmulator> {
  kind: string;
  /** A fresh emulator with these fault knobs (rate limit off unless given). */
  startEmulator(faults: EmulatorFaults): Promise<E>;
  /** The config's `target` block for that emulator. */
  target(emulator: E): Record<string, unknown>;
  /** The profile's mapping of the scenario's groups (group-N) onto the target's containers and roles. */
  mapping: Record<string, unknown>;
  /**
   * The most writes one op may send (DataCentral: a role the op needs, created on demand, then the
   * user's write): what an op in flight at a kill may send again on resume. @defaultValue 1
   */
  writesPerOp?: number;
  /** Whether the target renames a container in place (else a renamed group gets a new one and the old one is emptied). */
  renamesContainers: boolean;
  /** What happens outside the sync before a run (Grafana: people sign in once). */
  beforeRun?(emulator: E, snapshot: Snapshot): void;
  /**
   * Changes made by hand in the app: someone given a container (or access) the directory does not
   * give them, and someone taken out of one the directory does.
   */
  handEdits(emulator: E, state: NormalState): void;
  /** The end state read back from the emulator. */
  state(emulator: E): NormalState;
  /** The state the directory asks for (containers of gone groups are added by the suite, emptied). */
  expected(snapshot: Snapshot): NormalState;
  /** The fewest writes that turn `before` into `after` in the target's write model (see each adapter). */
  minimumWrites(before: NormalState, after: NormalState, change: DayChange): number;
  /**
   * A name for the change a logged write makes when its method and path alone name it (a PATCH or
   * DELETE of one resource, a whole-list PUT): such a write sent again after a 2xx answer is a
   * repeated write. Undefined for creates and adds to a collection, whose repeats the strict
   * emulator answers 409 instead.
   */
  writeKey(entry: RequestLogEntry): string | undefined;
}

/** Containers of `state` each user is in. */
export function containersOf(state: NormalState): Map<string, string[]> {
  const out = new Map<string, string[]>(Object.keys(state.users).map((e) => [e, []]));
  for (const [name, members] of Object.entries(state.containers))
    for (const e of members) out.set(e, [...(out.get(e) ?? []), name]);
  return out;
}

/** `before`'s containers with the renamed one under its new name. */
export function renamedIn(before: NormalState, change: DayChange): Record<string, string[]> {
  if (!change.renamed) return before.containers;
  const [from, to] = change.renamed;
  const { [from]: members, ...rest } = before.containers;
  return members === undefined ? before.containers : { ...rest, [to]: members };
}

/** The same strings, in any order (undefined is the empty list). */
export function sameList(a: readonly string[] = [], b: readonly string[] = []): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export const byKey = <T>(r: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

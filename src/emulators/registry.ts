import type { EmulatorPlugin } from './emulator-plugin.js';

/**
 * The strict emulator of each target kind, one line per target, for `rostersync emulate` and `demo`.
 * Each is imported only when called, and only the CLI imports this registry (dynamically), so
 * production start-up never loads an emulator.
 */
export const EMULATORS: Readonly<Record<string, () => Promise<EmulatorPlugin>>> = {
  chartio: async () => (await import('./chartio/plugin.js')).chartioEmulatorPlugin,
  grafana: async () => (await import('./grafana/plugin.js')).grafanaEmulatorPlugin,
  datacentral: async () => (await import('./datacentral/plugin.js')).datacentralEmulatorPlugin,
  adminv3: async () => (await import('./adminv3/plugin.js')).adminv3EmulatorPlugin,
  scim: async () => (await import('./scim/plugin.js')).scimEmulatorPlugin,
};

/** The emulators of the given target kinds that ship one, in that order, loaded. */
export async function loadEmulators(kinds: readonly string[]): Promise<Map<string, EmulatorPlugin>> {
  const out = new Map<string, EmulatorPlugin>();
  for (const kind of kinds) {
    const load = Object.hasOwn(EMULATORS, kind) ? EMULATORS[kind] : undefined;
    if (load) out.set(kind, await load());
  }
  return out;
}

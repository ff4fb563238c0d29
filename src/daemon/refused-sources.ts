import type { SourceCredentialsError } from '../errors/index.js';

/** One profile whose source refused the configured credentials, as /readyz and the status page show it. */
export interface RefusedSource {
  /** `source credentials refused: <the error's message>`: the key to fix and where its value came from. */
  line: string;
  /** When the ticks started failing so (the first tick of this streak). */
  since: string;
  /** The last tick that failed so. */
  lastAt: string;
}

/**
 * The profiles whose last sync failed because the source refused the credentials (a wrong client
 * secret, bind password): kept in memory by the process whose sync worker ran the tick, so one
 * misconfigured profile is said once at the top of /readyz and the status page instead of only in
 * each tick's run record. A tick whose source read succeeds clears its profile; a restart starts
 * empty (the config, hence the secret, is read again at start).
 */
export class RefusedSources {
  private readonly byProfile = new Map<string, RefusedSource>();

  refused(profile: string, err: SourceCredentialsError, at = new Date()): void {
    const line = `source credentials refused: ${err.message.split('\n').join('; ')}`;
    const since = this.byProfile.get(profile)?.since ?? at.toISOString();
    this.byProfile.set(profile, { line, since, lastAt: at.toISOString() });
  }

  /** The profile's source was read: whatever it refused before, it accepts now. */
  accepted(profile: string): void {
    this.byProfile.delete(profile);
  }

  get(profile: string): RefusedSource | undefined {
    return this.byProfile.get(profile);
  }

  /** Profile -> line, for /readyz; in profile name order. */
  lines(): Record<string, string> {
    return Object.fromEntries([...this.byProfile].sort(([a], [b]) => a.localeCompare(b)).map(([p, r]) => [p, r.line]));
  }
}

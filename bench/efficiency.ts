// Call efficiency: writes issued / the minimum, computed here from the generated directories
// (via the mapping only, not the planner), for a backfill from empty, a no-change run and a churn step.
import { runSync } from '../src/app/run-sync.js';
import { mappingSchema } from '../src/config/schema.js';
import { mapDirectory } from '../src/mapping/index.js';
import type { Snapshot } from '../src/model/index.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import { churn, generateDirectory } from '../test/support/synthetic-directory.js';
import { createHarness } from '../test/support/conformance/chartio.js';

const mapping = mappingSchema.parse({ rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] });
const teamsOf = (s: Snapshot) => new Map(mapDirectory(s, mapping).people.map((p) => [p.sourceId, new Set(p.teams)]));

/** From an org holding only Owners: every team, and every membership (the first one is the createUser). */
export function minimalFromEmpty(s: Snapshot): number {
  const d = mapDirectory(s, mapping);
  return d.teams.length + d.people.reduce((n, p) => n + p.teams.length, 0);
}

/**
 * From `before` applied to `after`, with deprovision: delete-user and no prune. Emails are read-only
 * on this target, so an email change is the recreate it is: the new address gets an account on its
 * teams (one call per team, the first being the create) and the old account is deleted.
 */
export function minimalChurn(before: Snapshot, after: Snapshot): number {
  const a = teamsOf(before);
  const b = teamsOf(after);
  const emailOf = (s: Snapshot) => new Map(s.people.map((p) => [p.sourceId, p.email.trim().toLowerCase()]));
  const [oldEmail, newEmail] = [emailOf(before), emailOf(after)];
  const oldTeams = new Set([...a.values()].flatMap((t) => [...t]));
  const newTeams = new Set([...b.values()].flatMap((t) => [...t]));
  let n = [...newTeams].filter((t) => !oldTeams.has(t)).length;
  for (const [id, teams] of b) {
    const old = a.get(id);
    if (old !== undefined && oldEmail.get(id) !== newEmail.get(id)) {
      n += teams.size + 1; // recreated: one call per team, and the old account deleted
      continue;
    }
    const had = old ?? new Set<string>();
    n += [...teams].filter((t) => !had.has(t)).length + [...had].filter((t) => !teams.has(t)).length;
  }
  for (const id of a.keys()) if (!b.has(id)) n += 1; // one deleteUser per leaver
  return n;
}

export interface EfficiencyRow {
  scenario: string;
  writes: number;
  minimal: number;
  ratio: number;
  reads: number;
}

export async function efficiency(people: number, groups: number): Promise<EfficiencyRow[]> {
  const redis = await findOrStartRedis();
  const h = await createHarness(redis.url, {
    policy: {
      deprovision: 'delete-user',
      maxDeletes: 1_000_000,
      maxDeletePercent: 100,
      maxRemovals: 1_000_000,
      maxTeamShrinkPercent: 100,
    },
  });
  try {
    const rows: EfficiencyRow[] = [];
    const rt = await h.runtime();
    rt.startWorkers();
    const step = async (scenario: string, dir: Snapshot, minimal: number) => {
      h.writeDirectory(dir);
      const log0 = h.emulator.requestLog.length;
      const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
      if (out.status !== 'succeeded') throw new Error(`${scenario}: run ${out.status}`);
      const calls = h.emulator.requestLog.slice(log0);
      const writes = calls.filter((c) => c.method !== 'GET').length;
      rows.push({
        scenario,
        writes,
        minimal,
        ratio: minimal === 0 ? (writes === 0 ? 1 : Infinity) : writes / minimal,
        reads: calls.length - writes,
      });
    };
    const first = generateDirectory({
      people,
      groups,
      memberships: Math.round(people * 1.5),
      nestingDepth: 2,
      seed: 101,
    });
    await step('backfill from empty', first, minimalFromEmpty(first));
    await step('no change', first, 0);
    const next = churn(first, { share: 0.05, seed: 102 });
    await step('churn 5%', next, minimalChurn(first, next));
    return rows;
  } finally {
    await h.close();
    await redis.stop();
  }
}

import { mappingSchema } from '../../src/config/schema.js';
import type { ChartioEmulator } from '../../src/emulators/chartio/index.js';
import type { Group, Person, Snapshot } from '../../src/model/index.js';
import { churn, generateDirectory } from './synthetic-directory.js';
import { expectedTeams } from './expected-state.js';
import { teamsState } from './conformance/chartio.js';

/**
 * A day-2 scenario shared by the CSV and LDAP end-to-end tests: a directory synced once, then the
 * changes of a working day (leavers, hires, moves, disables, an email change, a renamed, a deleted,
 * a new and a re-parented group) and a few memberships changed by hand in the app.
 */
export const DAY2_RULES = [
  { match: '^group-(\\d+)$', team: 'team-$1' },
  { match: '^team:(.+)$', team: '$1' },
];
/**
 * The day-two policy: leavers deleted; the deleted group's team is emptied, more than half its
 * members at once, which policy.maxTeamShrinkPercent would hold for approval: accepted in advance.
 */
export const DAY2_POLICY = { deprovision: 'delete-user', maxTeamShrinkPercent: 100 } as const;

export const day2Mapping = mappingSchema.parse({ rules: DAY2_RULES });
/** A group name the target refuses as is (it allows 255 characters). */
export const LONG_TEAM = `Long ${'n'.repeat(295)}`;
/** Chartio's names ignore case and stop at 255 characters: what the expected state must apply too. */
export const CHARTIO_NAMES = { mapOptions: { caseInsensitiveNames: true }, maxNameLength: 255 };

/** Groups g0..g15 (g8..g15 nested in g0..g7), plus g16/g17 (names that differ only in case) and g18 (a 300-character name). */
export function day2Base(seed: number, people = 150): Snapshot {
  const base = generateDirectory({ people, groups: 16, memberships: people * 2, nestingDepth: 2, seed });
  const extra: Group[] = [
    { sourceId: 'g16', name: 'team:Data Team', parentIds: [] },
    { sourceId: 'g17', name: 'team:data team', parentIds: [] },
    { sourceId: 'g18', name: `team:${LONG_TEAM}`, parentIds: [] },
  ];
  const ppl = base.people.map((p, i) =>
    i >= 20 && i < 32 ? { ...p, groupIds: [...p.groupIds, i < 26 ? 'g16' : i < 29 ? 'g17' : 'g18'] } : p,
  );
  // Someone only in the long-named group: created on that team, in the run that creates it.
  ppl[33] = { ...ppl[33]!, groupIds: ['g18'] };
  return { people: ppl, groups: [...base.groups, ...extra], issues: [] };
}

export interface Day2Changes {
  next: Snapshot;
  /** The person whose email changed: [old, new]. */
  emailChange: [string, string];
  deletedGroup: { id: string; name: string; team: string };
  renamed: { from: string; to: string };
  newGroup: string;
}

/** The day's changes to `base`, deterministic. */
export function day2Changes(base: Snapshot, seed: number): Day2Changes {
  const c = churn(base, { share: 0.04, seed });
  const deleted = { id: 'g2', name: 'group-2', team: 'team-2' };
  const groups: Group[] = c.groups
    .filter((g) => g.sourceId !== deleted.id)
    .map((g) => {
      if (g.sourceId === 'g4') return { ...g, name: 'group-104' };
      if (g.sourceId === 'g12') return { ...g, parentIds: ['g6'] };
      return { ...g, parentIds: g.parentIds.filter((p) => p !== deleted.id) };
    });
  groups.push({ sourceId: 'g19', name: 'group-19', parentIds: [] });
  const people: Person[] = c.people.map((p, i) => {
    let groupIds = p.groupIds.filter((g) => g !== deleted.id);
    if (i === 0 && groupIds.length === 0) groupIds = ['g3'];
    if (i >= 40 && i < 45) groupIds = [...groupIds, 'g19'];
    return { ...p, groupIds, enabled: i === 50 || i === 51 ? false : p.enabled };
  });
  const old = base.people.find((p) => p.sourceId === people[0]!.sourceId)!.email;
  return {
    next: { people, groups, issues: [] },
    emailChange: [old, people[0]!.email],
    deletedGroup: deleted,
    renamed: { from: 'team-4', to: 'team-104' },
    newGroup: 'team-19',
  };
}

/**
 * Memberships changed by hand in the app after day 1: someone added to a managed team the directory
 * does not put them in, someone taken out of one, and someone added to the team whose group will be
 * deleted. Returns how many memberships the deleted group's team then holds.
 */
export function handEdits(emulator: ChartioEmulator, deletedTeam: string): number {
  const st = emulator.state;
  const team = (name: string) => st.teamByName(name)!;
  const teams = teamsState(emulator);
  const outsider = st.userByEmail(
    Object.values(teams)
      .flat()
      .find((e) => !teams['team-3']!.includes(e) && e !== 'owner@example.com')!,
  )!;
  st.addMember(team('team-3').id, outsider.id);
  const member = st.userByEmail(teams['team-5']![0]!)!;
  st.removeMember(team('team-5').id, member.id);
  const stranger = st.userByEmail(
    Object.values(teams)
      .flat()
      .find((e) => !teams[deletedTeam]!.includes(e) && e !== 'owner@example.com')!,
  )!;
  st.addMember(team(deletedTeam).id, stranger.id);
  return team(deletedTeam).members.size;
}

/** Team -> members after day 2: the directory's teams, the deleted group's team empty, Owners untouched. */
export function day2Expected(c: Day2Changes): Record<string, string[]> {
  return {
    ...expectedTeams(c.next, ['owner@example.com'], { mapping: day2Mapping, ...CHARTIO_NAMES }),
    [c.deletedGroup.team]: [],
  };
}

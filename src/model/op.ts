/** One API call the plan asks for. `key` is stable across runs: it is the op's identity in the queue. */

export interface TeamRef {
  /** Known when the team exists; absent for a team created by this plan (resolved at apply time by name). */
  id?: string;
  name: string;
}

export interface UserRef {
  id?: string;
  /** Directory id, when the user comes from the source. */
  sourceId?: string;
  email: string;
}

interface OpBase {
  key: string;
  reason: string;
  /** Keys of ops that must succeed first (a failed op fails only its dependants). */
  dependsOn: string[];
}

export type Op =
  | (OpBase & { kind: 'createTeam'; team: TeamRef; teamKey: string })
  | (OpBase & { kind: 'renameTeam'; team: TeamRef & { id: string }; from: string; teamKey: string })
  | (OpBase & { kind: 'createUser'; user: UserRef; displayName: string; team: TeamRef })
  | (OpBase & { kind: 'addMember'; user: UserRef; team: TeamRef })
  | (OpBase & { kind: 'removeMember'; user: UserRef & { id: string }; team: TeamRef & { id: string } })
  | (OpBase & { kind: 'deleteUser'; user: UserRef & { id: string } })
  | (OpBase & { kind: 'deleteTeam'; team: TeamRef & { id: string } });

export type OpKind = Op['kind'];

/** Phase order: each phase drains before the next starts. */
export const PHASES: readonly OpKind[][] = [
  ['createTeam', 'renameTeam'],
  ['createUser'],
  ['addMember'],
  ['removeMember'],
  ['deleteUser'],
  ['deleteTeam'],
];

export const OP_KINDS: readonly OpKind[] = PHASES.flat();

export function phaseOf(kind: OpKind): number {
  return PHASES.findIndex((p) => p.includes(kind)) + 1;
}

import type { Op } from '../model/index.js';

/** A desired container resolved against the target: an existing id, or the createTeam op that makes it. */
export interface ResolvedTeam {
  name: string;
  label: string;
  key: string;
  type: 'team' | 'org' | 'ou';
  id?: string;
  keepsMember: boolean;
  /** The resolved org a team lives in. */
  parent?: ResolvedTeam & { id: string };
  /** The resolved parent unit of a unit. */
  under?: ResolvedTeam;
  /** Key of the createTeam op when the container does not exist yet. */
  createOp?: string;
}

export interface TeamResolution {
  /** By desired label. */
  byName: Map<string, ResolvedTeam>;
  /** Target container ids the mapping manages: only these are changed. */
  managedIds: Set<string>;
  ops: Op[];
  warnings: string[];
  newLinks: [string, string][];
  /**
   * Teams the sync manages whose group is gone (a linked group deleted, or a group named in
   * mapping.groups missing): target team id -> what is gone, for the plan. With `prune` they are
   * deleted; otherwise they stay managed (in managedIds) and lose their members.
   */
  gone: Map<string, { name: string; what: string; action: 'empty' | 'delete' }>;
}

import type { OpKind } from '../model/index.js';

/** Each key starts with one of these, naming the kind of its op: a dependency's phase can be told from its key. */
export const KEY_PREFIX_KINDS = {
  'team-create': 'createTeam',
  'team-rename': 'renameTeam',
  'user-create': 'createUser',
  'user-enable': 'enableUser',
  add: 'addMember',
  'team-members': 'setMembers',
  role: 'setRole',
  'user-set': 'setUser',
  'user-name': 'setUser',
  'user-email': 'setUser',
  remove: 'removeMember',
  'user-delete': 'deleteUser',
  'user-disable': 'disableUser',
  'team-delete': 'deleteTeam',
  grant: 'setGrant',
  grants: 'setGrants',
  ungrant: 'removeGrant',
} as const satisfies Record<string, OpKind>;

export type KeyPrefix = keyof typeof KEY_PREFIX_KINDS;

/**
 * Stable op keys: the same change gets the same key in every run, so a re-enqueued op is a no-op.
 * Parts are made safe for queue job ids (no ':' in BullMQ 6 ids; '.' separates parts).
 */
export function opKey(kind: KeyPrefix, ...parts: string[]): string {
  // join builds a flat string: a concatenated one is flattened later, when the key is first hashed.
  return [kind, ...parts.map(safePart)].join('.');
}

const UNSAFE = /[^A-Za-z0-9@_+=,-]/;
const UNSAFE_ALL = /[^A-Za-z0-9@_+=,-]/g;

/** `opKey` for parts already made safe by `safePart`: the per-membership path escapes each part once, not per key. */
export function opKeyOfSafe(kind: KeyPrefix, ...safeParts: string[]): string {
  return [kind, ...safeParts].join('.');
}

export function safePart(part: string): string {
  return UNSAFE.test(part) ? part.replace(UNSAFE_ALL, (c) => `~${c.codePointAt(0)!.toString(16)}~`) : part;
}

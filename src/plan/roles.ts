import type { RoleCapabilities, RoleGrant } from '../model/index.js';

export interface WantedRoles {
  roles: string[];
  /** "member of Platform Admins" */
  reason: string;
}

/**
 * The roles a person should hold in one scope, from the rules' grants: on a one-role target the
 * highest by the target's rank wins; on a many-role target every granted role. Names the target
 * does not know are reported and ignored. Undefined when no rule speaks.
 */
export function wantedRoles(
  grants: RoleGrant[] | undefined,
  caps: RoleCapabilities,
  warn: (w: string) => void,
): WantedRoles | undefined {
  if (!grants || grants.length === 0) return undefined;
  const known: { role: string; rank: number; reason: string }[] = [];
  for (const g of grants) {
    const rank = rankOf(caps, g.role);
    if (rank < 0)
      warn(`role "${g.role}" (${g.reason}) is not a role of the target (${caps.names.join(', ')}): ignored`);
    else known.push({ role: caps.names[rank]!, rank, reason: g.reason });
  }
  if (known.length === 0) return undefined;
  if (caps.many)
    return { roles: [...new Set(known.map((k) => k.role))].sort(), reason: known.map((k) => k.reason).join('; ') };
  const top = known.reduce((a, b) => (b.rank > a.rank ? b : a));
  return { roles: [top.role], reason: top.reason };
}

export function rankOf(caps: RoleCapabilities, role: string): number {
  const norm = (s: string) => ((caps.caseInsensitive ?? true) ? s.toLowerCase() : s);
  return caps.names.findIndex((n) => norm(n) === norm(role));
}

/** The roles to set given the policy, or undefined to leave the current ones. */
export function roleChange(
  current: string[],
  wanted: string[],
  caps: RoleCapabilities,
  policy: 'authoritative' | 'additive' | 'on-create',
): string[] | undefined {
  if (policy === 'on-create') return undefined;
  const same = (a: string[], b: string[]) =>
    a.length === b.length && a.every((r) => b.some((x) => rankOf(caps, x) === rankOf(caps, r)));
  if (policy === 'authoritative') return same(current, wanted) ? undefined : wanted;
  // additive: only ever raise
  if (caps.many) {
    const union = [...current, ...wanted.filter((w) => !current.some((c) => rankOf(caps, c) === rankOf(caps, w)))];
    return union.length > current.length ? union : undefined;
  }
  const cur = Math.max(-1, ...current.map((r) => rankOf(caps, r)));
  return rankOf(caps, wanted[0]!) > cur ? wanted : undefined;
}

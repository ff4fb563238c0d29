import type { Op, TargetCapabilities } from '../model/index.js';
import type { PolicyConfig } from '../config/schema.js';

export type DeprovisionMode = 'none' | 'remove' | 'disable' | 'delete';

/**
 * What `policy.deprovision` means on this target. On a target without containers there is nothing
 * to remove anyone from, so `remove-from-managed-teams` (the default) takes away access the way the
 * target can: disabling the account. `disable-user` on a target that cannot disable falls back to
 * removing from managed teams, and says so.
 */
export function deprovisionMode(policy: PolicyConfig, caps: TargetCapabilities, warnings: string[]): DeprovisionMode {
  const canDisable = caps.userStatus === true;
  switch (policy.deprovision) {
    case 'none':
      return 'none';
    case 'delete-user':
      return 'delete';
    case 'disable-user':
      if (canDisable) return 'disable';
      warnings.push(
        'deprovision is "disable-user", but the target cannot disable users: removed from managed teams instead',
      );
      return 'remove';
    case 'remove-from-managed-teams':
      return canDisable && caps.containers.types.length === 0 ? 'disable' : 'remove';
  }
}

/**
 * A returning person's account is enabled in one call: a target-wide role change planned for the
 * same user rides along in it, and whatever waited for the role change waits for the enable.
 */
export function foldRolesIntoEnables(ops: Op[]): Op[] {
  const enables = new Map<string, Op & { kind: 'enableUser' }>();
  for (const o of ops) if (o.kind === 'enableUser') enables.set(o.user.id, o);
  if (enables.size === 0) return ops;
  const folded = new Map<string, string>();
  const out = ops.filter((o) => {
    if (o.kind !== 'setRole' || o.team !== undefined || o.to.length !== 1) return true;
    const enable = enables.get(o.user.id);
    if (!enable) return true;
    enable.role = o.to[0]!;
    enable.reason = `${enable.reason}; role ${o.reason}`;
    enable.dependsOn = [...new Set([...enable.dependsOn, ...o.dependsOn.filter((k) => k !== enable.key)])];
    folded.set(o.key, enable.key);
    return false;
  });
  for (const o of out)
    if (o.dependsOn.some((k) => folded.has(k))) o.dependsOn = [...new Set(o.dependsOn.map((k) => folded.get(k) ?? k))];
  return out;
}

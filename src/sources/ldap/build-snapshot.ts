import { normaliseEmail, type Person, type Snapshot, type SourceIssue } from '../../model/index.js';
import { dnKey } from './dn.js';
import type { RawGroup, RawPerson, Skipped } from './read-directory.js';

/**
 * Raw entries -> Snapshot: member DNs become Person.groupIds (people) or Group.parentIds (nested
 * groups). Members that are neither an in-scope person nor a group are counted, not followed;
 * the empty DN (the placeholder an empty groupOfNames holds) is no member at all.
 */
export function buildSnapshot(
  rawPeople: RawPerson[],
  rawGroups: RawGroup[],
  skipped: Skipped[] = [],
): { snapshot: Snapshot; ignoredMembers: number } {
  const issues: SourceIssue[] = skipped.map((s) => ({ where: s.dn, reason: s.reason }));
  const people = new Map<string, Person>();
  const byDn = new Map<string, Person>();
  const seenEmail = new Map<string, string>();
  for (const r of rawPeople) {
    if (!r.email) {
      issues.push({ where: r.dn, reason: 'no email attribute: person skipped' });
      continue;
    }
    const lower = normaliseEmail(r.email);
    if (seenEmail.has(lower)) {
      issues.push({ where: r.dn, reason: `duplicate email ${r.email} (also ${seenEmail.get(lower)}): skipped` });
      continue;
    }
    seenEmail.set(lower, r.dn);
    const p: Person = {
      sourceId: r.id,
      email: r.email,
      displayName: r.displayName || r.email,
      enabled: r.enabled,
      ...(r.locked ? { locked: true } : {}),
      groupIds: [],
      ...(r.givenName ? { givenName: r.givenName } : {}),
      ...(r.familyName ? { familyName: r.familyName } : {}),
      ...(r.attributes ? { attributes: r.attributes } : {}),
    };
    people.set(r.id, p);
    byDn.set(dnKey(r.dn), p);
  }
  const groupByDn = new Map(rawGroups.map((g) => [dnKey(g.dn), g]));
  const parents = new Map<string, Set<string>>();
  let ignored = 0;
  for (const g of rawGroups) {
    for (const m of g.memberDns) {
      const key = dnKey(m);
      // The empty DN is the placeholder an empty groupOfNames must hold (member is required): no member.
      if (key === '') continue;
      const person = byDn.get(key);
      if (person) {
        if (!person.groupIds.includes(g.id)) person.groupIds.push(g.id);
        continue;
      }
      const child = groupByDn.get(key);
      if (child) {
        let set = parents.get(child.id);
        if (!set) parents.set(child.id, (set = new Set()));
        set.add(g.id);
        continue;
      }
      ignored += 1;
    }
  }
  if (ignored > 0)
    issues.push({ where: 'groups', reason: `${ignored} member(s) are neither people in scope nor groups: ignored` });
  return {
    snapshot: {
      people: [...people.values()],
      groups: rawGroups.map((g) => ({ sourceId: g.id, name: g.name, parentIds: [...(parents.get(g.id) ?? [])] })),
      issues,
    },
    ignoredMembers: ignored,
  };
}

import type { Person, Snapshot, SourceIssue } from '../../model/index.js';
import type { RawGroup, RawPerson } from './read-directory.js';

/**
 * A DN's comparison key: RDNs split on unescaped separators, values unescaped (RFC 4514 allows both
 * `\,` and `\2C`, and servers differ), case and spaces around separators ignored.
 */
export function dnKey(dn: string): string {
  const parts: string[] = [];
  let cur: number[] = [];
  const flush = () => {
    parts.push(Buffer.from(cur).toString('utf8').trim().toLowerCase().replace(/\s*=\s*/, '='));
    cur = [];
  };
  const bytes = Buffer.from(dn, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c && i + 1 < bytes.length) {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        cur.push(parseInt(hex, 16));
        i += 2;
      } else {
        cur.push(bytes[++i]!);
      }
      continue;
    }
    if (b === 0x2c || b === 0x3b || b === 0x2b) {
      flush();
      continue;
    }
    cur.push(b);
  }
  flush();
  return parts.join('\u0000');
}

/**
 * Raw entries -> Snapshot: member DNs become Person.groupIds (people) or Group.parentIds (nested
 * groups). Members that are neither an in-scope person nor a group are counted, not followed.
 */
export function buildSnapshot(rawPeople: RawPerson[], rawGroups: RawGroup[], skipped: { dn: string; reason: string }[] = []): Snapshot {
  const issues: SourceIssue[] = skipped.map((s) => ({ where: s.dn, reason: s.reason }));
  const people = new Map<string, Person>();
  const byDn = new Map<string, Person>();
  const seenEmail = new Map<string, string>();
  for (const r of rawPeople) {
    if (!r.email) {
      issues.push({ where: r.dn, reason: 'no email attribute: person skipped' });
      continue;
    }
    const lower = r.email.toLowerCase();
    if (seenEmail.has(lower)) {
      issues.push({ where: r.dn, reason: `duplicate email ${r.email} (also ${seenEmail.get(lower)}): skipped` });
      continue;
    }
    seenEmail.set(lower, r.dn);
    const p: Person = {
      sourceId: r.id, email: r.email, displayName: r.displayName || r.email, enabled: r.enabled, groupIds: [],
      ...(r.givenName ? { givenName: r.givenName } : {}), ...(r.familyName ? { familyName: r.familyName } : {}),
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
  if (ignored > 0) issues.push({ where: 'groups', reason: `${ignored} member(s) are neither people in scope nor groups: ignored` });
  return {
    people: [...people.values()],
    groups: rawGroups.map((g) => ({ sourceId: g.id, name: g.name, parentIds: [...(parents.get(g.id) ?? [])] })),
    issues,
  };
}

/** The newest change marker: generalized time compares as text, USNs as numbers. */
export function newestMarker(values: (string | undefined)[], numeric: boolean): string | undefined {
  let best: string | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    if (best === undefined || (numeric ? Number(v) > Number(best) : v > best)) best = v;
  }
  return best;
}

import { Attribute, Change, type Client } from 'ldapts';
import type { Snapshot } from '../../../src/model/index.js';
import { rdnValue } from '../../support/ldif.js';

/**
 * A synthetic directory kept in the test slapd, in two OUs of its own (so the shared entries other
 * tests count stay put). People are inetOrgPerson `uid=<sourceId>`; groups are groupOfNames named by
 * `cn` with the RDN `ou=<sourceId>`, so two groups whose names differ only in case can both exist
 * (cn matches without regard to case) and a rename changes the name, not the entry. `write()` makes
 * the directory equal a Snapshot with the fewest changes: adds, deletes, and replaced attributes.
 */
export class SlapdDirectory {
  private last: Snapshot = { people: [], groups: [], issues: [] };

  constructor(
    private readonly client: Client,
    readonly peopleDn: string,
    readonly groupsDn: string,
  ) {}

  static async create(client: Client, suffix: string, tag: string): Promise<SlapdDirectory> {
    const d = new SlapdDirectory(client, `ou=people-${tag},${suffix}`, `ou=groups-${tag},${suffix}`);
    for (const dn of [d.peopleDn, d.groupsDn])
      await client.add(dn, { objectClass: 'organizationalUnit', ou: dn.slice(3, dn.indexOf(',')) });
    return d;
  }

  personDn = (id: string) => `uid=${rdnValue(id)},${this.peopleDn}`;
  groupDn = (id: string) => `ou=${rdnValue(id)},${this.groupsDn}`;

  async write(next: Snapshot): Promise<void> {
    const prevPeople = new Map(this.last.people.map((p) => [p.sourceId, p]));
    const nextPeople = new Set(next.people.map((p) => p.sourceId));
    for (const p of next.people) {
      const attrs = { cn: p.displayName, mail: p.email, employeeType: p.enabled ? 'staff' : 'disabled' };
      const was = prevPeople.get(p.sourceId);
      if (!was)
        await this.client.add(this.personDn(p.sourceId), {
          objectClass: 'inetOrgPerson',
          uid: p.sourceId,
          sn: p.displayName.split(' ').pop()!,
          ...attrs,
        });
      else
        await this.replace(
          this.personDn(p.sourceId),
          { cn: was.displayName, mail: was.email, employeeType: was.enabled ? 'staff' : 'disabled' },
          attrs,
        );
    }
    for (const id of prevPeople.keys()) if (!nextPeople.has(id)) await this.client.del(this.personDn(id));

    const members = membersOf(next, this.personDn, this.groupDn, `uid=nobody,${this.peopleDn}`);
    const prevMembers = membersOf(this.last, this.personDn, this.groupDn, `uid=nobody,${this.peopleDn}`);
    const prevGroups = new Map(this.last.groups.map((g) => [g.sourceId, g]));
    for (const g of next.groups) {
      const was = prevGroups.get(g.sourceId);
      if (!was)
        await this.client.add(this.groupDn(g.sourceId), {
          objectClass: 'groupOfNames',
          ou: g.sourceId,
          cn: g.name,
          member: members.get(g.sourceId)!,
        });
      else
        await this.replace(
          this.groupDn(g.sourceId),
          { cn: was.name, member: prevMembers.get(g.sourceId)! },
          { cn: g.name, member: members.get(g.sourceId)! },
        );
    }
    for (const id of prevGroups.keys())
      if (!next.groups.some((g) => g.sourceId === id)) await this.client.del(this.groupDn(id));
    this.last = next;
  }

  /** Entries under both OUs, then the OUs. */
  async remove(): Promise<void> {
    for (const p of this.last.people) await this.client.del(this.personDn(p.sourceId));
    for (const g of this.last.groups) await this.client.del(this.groupDn(g.sourceId));
    for (const dn of [this.peopleDn, this.groupsDn]) await this.client.del(dn);
  }

  private async replace(
    dn: string,
    before: Record<string, string | string[]>,
    after: Record<string, string | string[]>,
  ): Promise<void> {
    const same = (a: string | string[], b: string | string[]) =>
      JSON.stringify([a].flat().sort()) === JSON.stringify([b].flat().sort());
    const changes = Object.keys(after)
      .filter((k) => !same(before[k]!, after[k]!))
      .map(
        (k) =>
          new Change({ operation: 'replace', modification: new Attribute({ type: k, values: [after[k]!].flat() }) }),
      );
    if (changes.length > 0) await this.client.modify(dn, changes);
  }
}

/** Group id -> member DNs: its people and its child groups (groupOfNames needs one: a placeholder when empty). */
function membersOf(
  s: Snapshot,
  personDn: (id: string) => string,
  groupDn: (id: string) => string,
  placeholder: string,
): Map<string, string[]> {
  const out = new Map(s.groups.map((g) => [g.sourceId, [] as string[]]));
  for (const p of s.people) for (const g of p.groupIds) out.get(g)?.push(personDn(p.sourceId));
  for (const g of s.groups) for (const parent of g.parentIds) out.get(parent)?.push(groupDn(g.sourceId));
  for (const [id, m] of out) if (m.length === 0) out.set(id, [placeholder]);
  return out;
}

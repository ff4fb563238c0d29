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
    await pool(next.people, async (p) => {
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
    });

    const members = membersOf(next, this.personDn, this.groupDn, `uid=nobody,${this.peopleDn}`);
    const prevMembers = membersOf(this.last, this.personDn, this.groupDn, `uid=nobody,${this.peopleDn}`);
    const prevGroups = new Map(this.last.groups.map((g) => [g.sourceId, g]));
    // Groups one at a time: a new group's members may be groups added before it.
    for (const g of next.groups) {
      const was = prevGroups.get(g.sourceId);
      if (!was)
        await this.client.add(this.groupDn(g.sourceId), {
          objectClass: 'groupOfNames',
          ou: g.sourceId,
          cn: g.name,
          member: members.get(g.sourceId)!,
        });
      else await this.changeGroup(g.sourceId, was.name, g.name, prevMembers.get(g.sourceId)!, members.get(g.sourceId)!);
    }
    for (const id of prevGroups.keys())
      if (!next.groups.some((g) => g.sourceId === id)) await this.client.del(this.groupDn(id));
    // People leave last: a group's member list no longer names them.
    await pool(
      [...prevPeople.keys()].filter((id) => !nextPeople.has(id)),
      (id) => this.client.del(this.personDn(id)),
    );
    this.last = next;
  }

  /** Entries under both OUs, then the OUs. */
  async remove(): Promise<void> {
    await pool(this.last.groups, (g) => this.client.del(this.groupDn(g.sourceId)));
    await pool(this.last.people, (p) => this.client.del(this.personDn(p.sourceId)));
    for (const dn of [this.peopleDn, this.groupsDn]) await this.client.del(dn);
  }

  /**
   * A group's name and only the members that change (adds before deletes, in one modify): replacing
   * the whole list makes slapd's memberOf overlay rewrite every member's entry.
   */
  private async changeGroup(id: string, was: string, name: string, before: string[], after: string[]): Promise<void> {
    const had = new Set(before);
    const has = new Set(after);
    const change = (operation: 'add' | 'delete' | 'replace', type: string, values: string[]) =>
      new Change({ operation, modification: new Attribute({ type, values }) });
    const changes = [
      ...(was !== name ? [change('replace', 'cn', [name])] : []),
      ...(after.some((m) => !had.has(m))
        ? [
            change(
              'add',
              'member',
              after.filter((m) => !had.has(m)),
            ),
          ]
        : []),
      ...(before.some((m) => !has.has(m))
        ? [
            change(
              'delete',
              'member',
              before.filter((m) => !has.has(m)),
            ),
          ]
        : []),
    ];
    if (changes.length > 0) await this.client.modify(this.groupDn(id), changes);
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

/** Eight LDAP writes at a time (one connection; slapd works on them in parallel). */
async function pool<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(8, items.length) }, async () => {
      while (i < items.length) await work(items[i++]!);
    }),
  );
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

import { Attribute, Change, Client, EqualityFilter } from 'ldapts';
import { ldapSourceSchema } from '../../../src/sources/ldap/schema.js';
import { directoryLdif, rdnValue } from '../ldif.js';
import { ADMIN_DN, startSlapd, SUFFIX } from '../slapd.js';
import type { AdapterContext, ConformanceAdapter, LoadedDirectory } from './adapter.js';
import {
  applyChange,
  attributesOf,
  childrenFirst,
  membersOf,
  renamedDisplayName,
  type ChangeStep,
  type ConfAttribute,
  type ConfDirectory,
  type ConfGroup,
  type ConfPerson,
} from './directory.js';

/** What differs between the two servers: where entries live and how they are spelled. */
interface Server {
  peopleBase: string;
  groupsBase: string;
  personEntry(p: ConfPerson): Record<string, string | string[]>;
  groupEntry(g: ConfGroup, memberDns: string[]): Record<string, string | string[]>;
  /** The modification that disables a person. */
  disable: Change;
  /** The modifications that go with a person's new RDN (cn) and family name. */
  rename(displayName: string, familyName: string): Change[];
  /** The LDAP attribute each of the suite's attributes is written as. */
  attributeNames: Record<ConfAttribute, string>;
  /**
   * Member values follow a renamed or deleted entry after the write has returned (OpenLDAP's refint
   * overlay works in a background thread; AD's linked attributes follow at once).
   */
  membersFollowLater?: boolean;
}

const change = (operation: 'add' | 'delete' | 'replace', type: string, values: string[]) =>
  new Change({ operation, modification: new Attribute({ type, values }) });

/**
 * Writes a directory through LDAP adds (live writes, so server-side overlays and linked attributes
 * act on them) and makes changes as an administrator would: delete, add, member add/delete,
 * modrdn, a disable flag. DNs are built from names, RFC 4514-escaped (cn=Doe\, Jane).
 */
class LdapWriter {
  constructor(
    private readonly client: Client,
    private readonly server: Server,
  ) {}

  personDn = (p: ConfPerson) => `cn=${rdnValue(p.displayName)},${this.server.peopleBase}`;
  groupDn = (g: ConfGroup) => `cn=${rdnValue(g.name)},${this.server.groupsBase}`;

  /** A person's entry with the directory's attributes they have values of. */
  private personEntry(dir: ConfDirectory, p: ConfPerson): Record<string, string | string[]> {
    return { ...this.server.personEntry(p), ...attributesOf(dir, p, (a) => this.server.attributeNames[a]) };
  }

  async write(dir: ConfDirectory): Promise<void> {
    for (const p of dir.people) await this.client.add(this.personDn(p), this.personEntry(dir, p));
    // Children first: a group's nested groups exist when it is added with its members.
    for (const g of childrenFirst(dir))
      await this.client.add(this.groupDn(g), this.server.groupEntry(g, this.memberDns(dir, g)));
  }

  private memberDns(dir: ConfDirectory, g: ConfGroup): string[] {
    const m = membersOf(dir, g.key);
    return [
      ...m.people.map((k) => this.personDn(dir.people.find((p) => p.key === k)!)),
      ...m.groups.map((k) => this.groupDn(dir.groups.find((c) => c.key === k)!)),
    ];
  }

  /** Each step against the directory as it is at that step (a rename changes the DN later steps use). */
  async apply(steps: ChangeStep[], before: ConfDirectory): Promise<void> {
    let dir = before;
    for (const s of steps) {
      await this.applyOne(s, dir);
      dir = applyChange(dir, [s]);
    }
  }

  /** Until no group holds `dn` as a member any more (refint caught up), or fails after 10 s. */
  private async membersFollowed(dn: string): Promise<void> {
    if (!this.server.membersFollowLater) return;
    const filter = new EqualityFilter({ attribute: 'member', value: dn });
    for (let waited = 0; waited < 10_000; waited += 20) {
      const { searchEntries } = await this.client.search(this.server.groupsBase, { filter, attributes: ['1.1'] });
      if (searchEntries.length === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`conformance LDAP: groups still hold ${dn} as a member 10 s after it was renamed or deleted`);
  }

  private async applyOne(s: ChangeStep, dir: ConfDirectory): Promise<void> {
    const person = (key: string) => this.personDn(dir.people.find((p) => p.key === key)!);
    const group = (key: string) => this.groupDn(dir.groups.find((g) => g.key === key)!);
    switch (s.step) {
      case 'leave':
        await this.client.del(person(s.person));
        return this.membersFollowed(person(s.person));
      case 'hire': {
        const dn = this.personDn(s.person);
        await this.client.add(dn, this.personEntry(dir, s.person));
        for (const g of s.person.groups) await this.client.modify(group(g), change('add', 'member', [dn]));
        return;
      }
      case 'move':
        await this.client.modify(group(s.to), change('add', 'member', [person(s.person)]));
        return this.client.modify(group(s.from), change('delete', 'member', [person(s.person)]));
      case 'rename':
        await this.client.modifyDN(group(s.group), `cn=${rdnValue(s.name)}`);
        return this.membersFollowed(group(s.group));
      case 'rename-person': {
        const p = dir.people.find((x) => x.key === s.person)!;
        const displayName = renamedDisplayName(p.givenName, s.familyName);
        await this.client.modifyDN(person(s.person), `cn=${rdnValue(displayName)}`);
        await this.membersFollowed(person(s.person));
        return this.client.modify(this.personDn({ ...p, displayName }), this.server.rename(displayName, s.familyName));
      }
      case 'disable':
        return this.client.modify(person(s.person), this.server.disable);
      case 'nest':
        return this.client.modify(group(s.parent), change('add', 'member', [group(s.group)]));
      case 'set-attribute':
        return this.client.modify(
          person(s.person),
          s.value === undefined
            ? change('delete', this.server.attributeNames[s.attribute], [])
            : change('replace', this.server.attributeNames[s.attribute], [s.value]),
        );
    }
  }
}

async function bound(url: string, dn: string, password: string): Promise<Client> {
  const client = new Client({ url, timeout: 30_000 });
  await client.bind(dn, password);
  return client;
}

/**
 * OpenLDAP: a private slapd (memberof and refint overlays: refint keeps `member` values right
 * across a rename or a delete, as a production OpenLDAP with groups does), inetOrgPerson people,
 * groupOfNames groups, disabled by `employeeType: disabled`. An empty groupOfNames holds the empty
 * DN, the usual placeholder for its required `member`.
 */
export const openldapAdapter: ConformanceAdapter = {
  kind: 'ldap',
  name: 'OpenLDAP (slapd, openldap preset)',
  nesting: 'parents',
  incremental: { seesDeletions: false },
  // inetOrgPerson (RFC 2798, RFC 4519): departmentNumber and l (localityName).
  attributeNames: { department: 'departmentNumber', location: 'l' },
  async load(dir) {
    const slapd = await startSlapd(directoryLdif([], []), {
      modules: ['refint'],
      database: ['overlay refint', 'refint_attributes member'],
    });
    const server: Server = {
      peopleBase: `ou=people,${SUFFIX}`,
      groupsBase: `ou=groups,${SUFFIX}`,
      personEntry: (p) => ({
        objectClass: 'inetOrgPerson',
        cn: p.displayName,
        givenName: p.givenName,
        sn: p.familyName,
        mail: p.email,
        uid: p.key,
        employeeType: p.enabled ? 'staff' : 'disabled',
      }),
      groupEntry: (g, members) => ({
        objectClass: 'groupOfNames',
        cn: g.name,
        member: members.length ? members : [''],
      }),
      disable: change('replace', 'employeeType', ['disabled']),
      // cn is the display name here, and modrdn already replaced it.
      rename: (_displayName, familyName) => [change('replace', 'sn', [familyName])],
      attributeNames: openldapAdapter.attributeNames,
      membersFollowLater: true,
    };
    return loaded(await bound(slapd.url, ADMIN_DN, slapd.password), server, dir, () => slapd.stop(), {
      url: slapd.url,
      bindDn: ADMIN_DN,
      bindPassword: slapd.password,
      disabled: { attribute: 'employeeType', values: ['disabled'] },
    });
  },
};

/**
 * Active Directory: the project's Samba AD DC, in an OU of its own per run; users with
 * userAccountControl 544 (enabled) / 546 (ACCOUNTDISABLE), mail and a UPN; groups with member.
 */
export const sambaAdAdapter: ConformanceAdapter = {
  kind: 'ldap',
  name: 'Active Directory (Samba AD DC, active-directory preset)',
  nesting: 'parents',
  incremental: { seesDeletions: false },
  // The user class's department and l (Locality-Name), as ADUC's Organization and Address tabs write them.
  attributeNames: { department: 'department', location: 'l' },
  async load(dir, ctx: AdapterContext) {
    const ou = `OU=conformance-${ctx.runId},${ctx.ad.baseDn}`;
    const client = await bound(ctx.ad.url, ctx.ad.bindDn, ctx.ad.password);
    for (const dn of [ou, `OU=People,${ou}`, `OU=Groups,${ou}`])
      await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou: dn.slice(3, dn.indexOf(',')) });
    const server: Server = {
      peopleBase: `OU=People,${ou}`,
      groupsBase: `OU=Groups,${ou}`,
      personEntry: (p) => ({
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: `cf${ctx.runId.slice(-5)}-${p.key}`,
        userPrincipalName: `${p.key}.${ctx.runId}@corp.test`,
        displayName: p.displayName,
        givenName: p.givenName,
        sn: p.familyName,
        mail: p.email,
        userAccountControl: p.enabled ? '544' : '546',
      }),
      groupEntry: (g, members) => ({
        objectClass: ['top', 'group'],
        sAMAccountName: `cf${ctx.runId.slice(-5)}-${g.key}`,
        ...(members.length ? { member: members } : {}),
      }),
      disable: change('replace', 'userAccountControl', ['546']),
      rename: (displayName, familyName) => [
        change('replace', 'displayName', [displayName]),
        change('replace', 'sn', [familyName]),
      ],
      attributeNames: sambaAdAdapter.attributeNames,
    };
    // The DC is the project's and is thrown away with it; the OU is unique to this run.
    return loaded(client, server, dir, async () => {}, {
      url: ctx.ad.url,
      bindDn: ctx.ad.bindDn,
      bindPassword: ctx.ad.password,
      preset: 'active-directory',
    });
  },
};

async function loaded(
  client: Client,
  server: Server,
  dir: ConfDirectory,
  stop: () => Promise<void>,
  config: Record<string, unknown>,
): Promise<LoadedDirectory> {
  const writer = new LdapWriter(client, server);
  try {
    await writer.write(dir);
  } catch (err) {
    await client.unbind();
    await stop();
    throw err;
  }
  return {
    config: ldapSourceSchema.parse({
      kind: 'ldap',
      ...config,
      ...(dir.attributes ? { attributes: dir.attributes.map((a) => server.attributeNames[a]) } : {}),
      people: { baseDn: server.peopleBase },
      groups: { baseDn: server.groupsBase },
    }),
    apply: (steps, before) => writer.apply(steps, before),
    async close() {
      await client.unbind();
      await stop();
    },
  };
}

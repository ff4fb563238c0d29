import { entraSourceSchema } from '../../../src/sources/entra/schema.js';
import type { FakeDirectory } from '../fake-graph/directory.js';
import { startFakeGraph } from '../fake-graph/server.js';
import type { ConformanceAdapter } from './adapter.js';
import {
  applyChange,
  attributesOf,
  childrenFirst,
  membersOf,
  renamedDisplayName,
  type ChangeStep,
  type ConfAttribute,
  type ConfDirectory,
  type ConfPerson,
} from './directory.js';

const userId = (key: string) => `user-${key}`;
const groupId = (key: string) => `group-${key}`;

/** Graph user properties. */
const ATTRIBUTE_NAMES: Record<ConfAttribute, string> = { department: 'department', location: 'officeLocation' };

function addUser(d: FakeDirectory, dir: ConfDirectory, p: ConfPerson): void {
  const attributes = Object.entries(attributesOf(dir, p, (a) => ATTRIBUTE_NAMES[a])).map(([k, v]) => [k, v[0]]);
  d.addUser({
    ...Object.fromEntries(attributes),
    id: userId(p.key),
    displayName: p.displayName,
    givenName: p.givenName,
    surname: p.familyName,
    mail: p.email,
    userPrincipalName: `${p.key}@conformance.onmicrosoft.test`,
    accountEnabled: p.enabled,
  });
}

/** Each step through the fake tenant's directory API, so it lands in the change log delta replays. */
function applyOne(d: FakeDirectory, dir: ConfDirectory, s: ChangeStep): void {
  switch (s.step) {
    case 'leave':
      return d.removeUser(userId(s.person));
    case 'hire':
      addUser(d, dir, s.person);
      for (const g of s.person.groups) d.addMember(groupId(g), userId(s.person.key));
      return;
    case 'move':
      d.addMember(groupId(s.to), userId(s.person));
      return d.removeMember(groupId(s.from), userId(s.person));
    case 'rename':
      return d.renameGroup(groupId(s.group), s.name);
    case 'rename-person': {
      const givenName = d.users.get(userId(s.person))!.givenName ?? '';
      return d.updateUser(userId(s.person), {
        surname: s.familyName,
        displayName: renamedDisplayName(givenName, s.familyName),
      });
    }
    case 'disable':
      return d.updateUser(userId(s.person), { accountEnabled: false });
    case 'nest':
      return d.addMember(groupId(s.parent), groupId(s.group));
    case 'set-attribute':
      // Graph clears a property with null.
      return d.updateUser(userId(s.person), { [ATTRIBUTE_NAMES[s.attribute]]: s.value ?? null });
  }
}

/**
 * Microsoft Entra ID: the fake Graph over HTTPS (test CA), users with mail, given name and
 * surname, groups holding people and nested groups; every group in scope and `users: all`, so
 * people in no group are read too. Graph's transitiveMembers resolves nesting (docs/sources-entra.md).
 */
export const entraAdapter: ConformanceAdapter = {
  kind: 'entra',
  name: 'Microsoft Entra ID (fake Graph)',
  nesting: 'resolved',
  incremental: { seesDeletions: true },
  attributeNames: ATTRIBUTE_NAMES,
  async load(dir: ConfDirectory, ctx) {
    const graph = await startFakeGraph({
      tenantId: 'conformance',
      clientId: 'rostersync',
      clientSecret: 'conformance-secret',
      cert: ctx.tls.cert,
      key: ctx.tls.key,
    });
    const d = graph.dir;
    for (const p of dir.people) addUser(d, dir, p);
    for (const g of childrenFirst(dir)) {
      const m = membersOf(dir, g.key);
      d.addGroup(groupId(g.key), g.name, [...m.people.map(userId), ...m.groups.map(groupId)]);
    }
    return {
      config: entraSourceSchema.parse({
        kind: 'entra',
        tenantId: 'conformance',
        clientId: 'rostersync',
        clientSecret: 'conformance-secret',
        authorityHost: graph.url,
        graphBaseUrl: graph.url,
        users: 'all',
        retryBaseMs: 10,
        ...(dir.attributes ? { attributes: dir.attributes.map((a) => ATTRIBUTE_NAMES[a]) } : {}),
      }),
      async apply(steps, before) {
        let now = before;
        for (const s of steps) {
          applyOne(d, now, s);
          now = applyChange(now, [s]);
        }
      },
      close: () => graph.close(),
    };
  },
};

import { describe, expect, it } from 'vitest';
import { SourceCredentialsError } from '../../../../src/errors/index.js';
import { silentLogger } from '../../../../src/log/logger.js';
import type { Person, Snapshot } from '../../../../src/model/index.js';
import { JoinedSource, joinSnapshots } from '../../../../src/sources/joined/index.js';
import { precedenceSchema } from '../../../../src/sources/joined/schema.js';
import type { ReadRequest, Source, SourceRead } from '../../../../src/sources/source.js';

const person = (sourceId: string, email: string, over: Partial<Person> = {}): Person => ({
  sourceId,
  email,
  displayName: email,
  enabled: true,
  groupIds: [],
  ...over,
});
const snap = (people: Person[], groups: Snapshot['groups'] = []): Snapshot => ({ people, groups, issues: [] });

const hr = snap([
  person('h1', 'ana@x.com', { attributes: { employee_id: ['E1'], department: ['Finance'] }, enabled: true }),
  person('h2', 'bo@x.com', { attributes: { employee_id: ['E2'], department: ['Sales'] }, enabled: false }),
  person('h3', 'cy@x.com', { attributes: { employee_id: ['E3'], department: ['Sales'] } }),
]);
const ad = snap(
  [
    person('a1', 'Ana.B@corp.x.com', {
      attributes: { employeeNumber: ['e1'] },
      groupIds: ['g1'],
      displayName: 'Ana B',
    }),
    person('a2', 'bo@corp.x.com', { attributes: { employeeNumber: ['E2'], department: ['Ops'] }, groupIds: ['g1'] }),
    person('a4', 'dee@corp.x.com', { attributes: { employeeNumber: ['E4'] }, groupIds: ['g2'] }),
  ],
  [
    { sourceId: 'g1', name: 'BI Users', parentIds: ['g2'] },
    { sourceId: 'g2', name: 'Everyone', parentIds: [] },
  ],
);
const members = [
  { name: 'hr', joinOn: 'employee_id', required: true },
  { name: 'ad', joinOn: 'employeeNumber', required: false },
];
const join = (precedence: Record<string, unknown> = {}, snaps = { hr, ad }) =>
  joinSnapshots({
    members,
    precedence: precedenceSchema.parse(precedence),
    snapshots: new Map(Object.entries(snaps)),
  });

describe('joining sources', () => {
  it('joins on a per-source key (case folded); the first source wins each field unless precedence says', () => {
    const { snapshot, stats } = join();
    expect(snapshot.people.map((p) => [p.sourceId, p.email, p.enabled, p.groupIds, p.attributes?.department])).toEqual([
      ['joined:e1', 'ana@x.com', true, ['ad:g1'], ['Finance']],
      ['joined:e2', 'bo@x.com', false, ['ad:g1'], ['Sales']],
      ['joined:e3', 'cy@x.com', true, [], ['Sales']],
    ]);
    // dee is only in the optional source: hr is required.
    expect(stats).toEqual({
      sources: [
        { name: 'hr', people: 3 },
        { name: 'ad', people: 3 },
      ],
      people: 3,
      joined: 2,
      notInRequired: 1,
      conflicts: 0,
    });
    expect(snapshot.groups.map((g) => [g.sourceId, g.parentIds])).toEqual([
      ['ad:g1', ['ad:g2']],
      ['ad:g2', []],
    ]);
  });

  it('precedence picks the source of enabled, names and each attribute, and says where each came from', () => {
    const { snapshot } = join({ enabled: 'ad', names: 'ad', attributes: { department: 'ad' } });
    const bo = snapshot.people.find((p) => p.sourceId === 'joined:e2')!;
    expect(bo).toMatchObject({ email: 'bo@corp.x.com', enabled: true, attributes: { department: ['Ops'] } });
    expect(bo.from).toMatchObject({
      enabled: 'ad',
      email: 'ad',
      names: 'ad',
      groups: 'hr, ad',
      department: 'ad',
      employee_id: 'hr',
    });
    // ad decides department, but has none for ana: she has none.
    expect(snapshot.people.find((p) => p.sourceId === 'joined:e1')!.attributes).toEqual({
      employee_id: ['E1'],
      employeeNumber: ['e1'],
    });
  });

  it('groups from one source only, when precedence names it', () => {
    const { snapshot } = join({ groups: 'hr' });
    expect(snapshot.groups).toEqual([]);
    expect(snapshot.people.every((p) => p.groupIds.length === 0)).toBe(true);
  });

  it('a key two people of one source share is a conflict: a warning naming both, neither joined', () => {
    const clash = snap([
      ...ad.people,
      person('a5', 'eve@corp.x.com', { attributes: { employeeNumber: ['E3'] } }),
      person('a6', 'fay@corp.x.com', { attributes: { employeeNumber: ['e3'] } }),
    ]);
    const { snapshot, warnings, stats } = join({}, { hr, ad: clash });
    expect(warnings).toEqual([
      'source ad: eve@corp.x.com and fay@corp.x.com share the join key "e3" (employeeNumber): neither is joined; each is synced as itself where its sources allow',
    ]);
    // cy (hr) stays joined to nobody; eve and fay are not in the required hr source: out.
    expect(snapshot.people.map((p) => p.sourceId)).toEqual(['joined:e1', 'joined:e2', 'joined:e3']);
    expect(stats).toMatchObject({ conflicts: 2, notInRequired: 3 });
  });
});

/** A member source that returns what it is given, and remembers what it was asked. */
class Fake implements Source {
  readonly kind = 'csv';
  asked: ReadRequest[] = [];
  constructor(private readonly answer: () => SourceRead) {}
  read(r: ReadRequest): Promise<SourceRead> {
    this.asked.push(r);
    return Promise.resolve(this.answer());
  }
}

describe('the joined source', () => {
  const config = {
    kind: 'joined' as const,
    sources: members.map((m) => ({ ...m, source: m.name })),
    precedence: precedenceSchema.parse({}),
  };

  it('reads each source with its own cursor and keeps them apart in one cursor', async () => {
    const fakes = {
      hr: new Fake(() => ({ snapshot: hr, mode: 'full' })),
      ad: new Fake(() => ({ snapshot: ad, mode: 'incremental', nextCursor: 'usn:42' })),
    };
    const prefixes: string[] = [];
    const src = new JoinedSource(
      config,
      { log: silentLogger, baseDir: '.', profile: 'p', keyPrefix: 'rs:{rs:p}:' },
      (name, deps) => {
        prefixes.push(deps.keyPrefix!);
        return fakes[name as 'hr' | 'ad'];
      },
    );
    expect(prefixes).toEqual(['rs:{rs:p}:hr:', 'rs:{rs:p}:ad:']);
    const first = await src.read({ mode: 'incremental', cursor: JSON.stringify({ ad: 'usn:7' }) });
    expect(fakes.hr.asked[0]).toMatchObject({ mode: 'full' });
    expect(fakes.ad.asked[0]).toMatchObject({ mode: 'incremental', cursor: 'usn:7' });
    expect(JSON.parse(first.nextCursor!)).toEqual({ ad: 'usn:42' });
    expect(first).toMatchObject({
      mode: 'full',
      sources: [
        { name: 'hr', people: 3 },
        { name: 'ad', people: 3 },
      ],
    });
  });

  it('a source that fails fails the read, named, with its own error (and exit code)', async () => {
    const src = new JoinedSource(config, { log: silentLogger, baseDir: '.', profile: 'p' }, (name) =>
      name === 'ad'
        ? ({
            kind: 'ldap',
            read: () => Promise.reject(new SourceCredentialsError('ldap: bind refused', 'ldap')),
          } as unknown as Source)
        : new Fake(() => ({ snapshot: hr, mode: 'full' })),
    );
    const err = await src.read({ mode: 'full' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceCredentialsError);
    expect((err as Error).message).toBe('source ad: ldap: bind refused');
  });
});

import { randomUUID } from 'node:crypto';
import type { FakeDirectory, FakeUser } from './directory.js';
import { SINGLE_USER_ONLY } from './user-properties.js';

/** One Graph answer, written either as an HTTP response or as one inner response of a $batch. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouterOptions {
  dir: FakeDirectory;
  maxPage: number;
  base: () => string;
  faults: { expiredBefore: number };
}

/** Graph's error body: code, message and innerError with the request ids support asks for. */
export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Answer {
  const id = randomUUID();
  return {
    status,
    headers,
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': id, 'client-request-id': id },
      },
    },
  };
}

/**
 * The Graph GET routes over the fake directory: paged /users, /groups (optionally filtered by a
 * displayName prefix), /groups/{id}, transitiveMembers and delta rounds. `path` is relative to the
 * version (`/users?...`), as in a $batch request. A group id in a path or in `id in (...)` matches
 * without case, as Graph's object ids do; answers carry the directory's own spelling.
 */
export function route(o: RouterOptions, path: string, prefer?: string): Answer {
  const url = new URL(path, 'https://fake');
  const { dir } = o;
  const select = url.searchParams.get('$select')?.split(',');
  const r = url.pathname;
  /** A user as Graph returns it: with $select, the selected properties (null when not set) and id. */
  const userJson = (u: FakeUser) => {
    const full: Record<string, unknown> = { '@odata.type': '#microsoft.graph.user', ...u };
    if (!select) return full;
    return Object.fromEntries([
      ['@odata.type', full['@odata.type']],
      ['id', u.id],
      ...select.filter((k) => k !== 'id').map((k) => [k, u[k] ?? null]),
    ]);
  };
  // $select over users: a name users lack is Graph's 400; a property Graph returns only for one
  // user is its 501 on a collection (every route here lists users).
  const usersListed =
    r === '/users' ||
    r === '/users/delta' ||
    /^\/groups\/[^/]+\/(transitiveMembers|members\/microsoft\.graph\.user)$/.test(r);
  if (usersListed && select) {
    const unknown = select.find((k) => !dir.isUserProperty(k));
    if (unknown !== undefined)
      return graphError(
        400,
        'Request_BadRequest',
        `Could not find a property named '${unknown}' on type 'microsoft.graph.user'.`,
      );
    if (select.some((k) => SINGLE_USER_ONLY.has(k)))
      return graphError(501, 'NotImplemented', 'This operation target is not yet supported.');
  }
  const page = (items: unknown[], defaultTop = 100, end: Record<string, unknown> = {}): Answer => {
    const top = Math.min(Number(url.searchParams.get('$top') ?? defaultTop), o.maxPage);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const next = new URL(url);
    next.searchParams.set('$skiptoken', String(skip + top));
    const more = skip + top < items.length;
    return {
      status: 200,
      body: {
        value: items.slice(skip, skip + top),
        ...(more ? { '@odata.nextLink': `${o.base()}/v1.0${next.pathname}${next.search}` } : end),
      },
    };
  };
  const notFound = (id: string) =>
    graphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );

  if (r === '/users/delta' || r === '/groups/delta') {
    const kind = r === '/users/delta' ? 'user' : 'group';
    const token = url.searchParams.get('$deltatoken') ?? url.searchParams.get('$deltaToken');
    const deltaLink = (v: number) =>
      `${o.base()}/v1.0/${kind}s/delta?$deltatoken=${v}${select ? `&$select=${select.join(',')}` : ''}`;
    if (token === 'latest') return { status: 200, body: { value: [], '@odata.deltaLink': deltaLink(dir.version) } };
    const since = token === null ? 0 : Number(token);
    if (token !== null && since < o.faults.expiredBefore)
      return graphError(410, 'syncStateNotFound', 'The delta token has expired.');
    return page(deltaItems(dir, kind, since, userJson, select, prefer === 'return=minimal'), 200, {
      '@odata.deltaLink': deltaLink(dir.version),
    });
  }
  if (r === '/users') return page([...dir.users.values()].map(userJson));
  if (r === '/groups') {
    const filter = url.searchParams.get('$filter');
    const inList = filter ? /^id in \((.*)\)$/.exec(filter.trim())?.[1] : undefined;
    if (inList !== undefined) {
      // Graph's `in` takes at most 15 values by default (known issues: query parameters); each an object id.
      const values = [...inList.matchAll(/\s*'((?:[^']|'')*)'\s*(,|$)/g)].map((m) => m[1]!.replace(/''/g, "'"));
      if (values.length > 15)
        return graphError(
          400,
          'Request_UnsupportedQuery',
          `Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: 15.`,
        );
      const bad = values.find((v) => !/^[\w-]+$/.test(v));
      if (bad !== undefined) return graphError(400, 'Request_BadRequest', `Invalid object identifier '${bad}'.`);
      // Object ids compare without case (GUIDs); Graph answers with its own spelling.
      const wanted = new Set(values.map((v) => v.toLowerCase()));
      return page(
        [...dir.groups.values()]
          .filter((g) => wanted.has(g.id.toLowerCase()))
          .map((g) => ({ id: g.id, displayName: g.displayName })),
      );
    }
    const prefix = filter
      ? /^startswith\(displayName,'((?:[^']|'')*)'\)$/.exec(filter)?.[1]?.replace(/''/g, "'")
      : undefined;
    if (filter && prefix === undefined) return graphError(400, 'BadRequest', 'unsupported filter in the fake');
    return page(
      [...dir.groups.values()]
        .filter((g) => prefix === undefined || g.displayName.toLowerCase().startsWith(prefix.toLowerCase()))
        .map((g) => ({ id: g.id, displayName: g.displayName })),
    );
  }
  let m = /^\/groups\/([^/]+)$/.exec(r);
  if (m) {
    const id = decodeURIComponent(m[1]!);
    // Graph refuses a malformed object id with 400, not 404.
    if (!/^[\w-]+$/.test(id)) return graphError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
    const g = dir.groupById(id);
    return g ? { status: 200, body: { id: g.id, displayName: g.displayName } } : notFound(id);
  }
  // Direct members cast to one type (an OData cast segment): the collection is of that type, so its
  // items carry no @odata.type; $select picks the properties (users: any user property; groups: id, displayName).
  m = /^\/groups\/([^/]+)\/members\/microsoft\.graph\.(user|group)$/.exec(r);
  if (m) {
    const id = decodeURIComponent(m[1]!);
    const g = dir.groupById(id);
    if (!g) return notFound(id);
    const strip = ({ '@odata.type': _type, ...rest }: Record<string, unknown>) => rest;
    if (m[2] === 'user')
      return page([...g.members].flatMap((mid) => (dir.users.has(mid) ? [strip(userJson(dir.users.get(mid)!))] : [])));
    const groupJson = (c: { id: string; displayName: string }) =>
      select
        ? Object.fromEntries(['id', ...select.filter((k) => k !== 'id')].map((k) => [k, c[k as 'id'] ?? null]))
        : c;
    return page(
      [...g.members].flatMap((mid) => {
        const c = dir.groups.get(mid);
        return c ? [groupJson({ id: c.id, displayName: c.displayName })] : [];
      }),
    );
  }
  m = /^\/groups\/([^/]+)\/transitiveMembers$/.exec(r);
  if (m) {
    const id = decodeURIComponent(m[1]!);
    const g = dir.groupById(id);
    if (!g) return notFound(id);
    return page(
      dir
        .transitiveMembers(g.id)
        .map((mid) =>
          dir.users.has(mid)
            ? userJson(dir.users.get(mid)!)
            : { '@odata.type': '#microsoft.graph.group', id: mid, displayName: dir.groups.get(mid)?.displayName },
        ),
    );
  }
  return graphError(404, 'NotFound', `no route ${r}`);
}

/**
 * The objects changed since a version: @removed for the gone, members@delta for groups. A user
 * created since is its whole (selected) representation. An updated user appears only if a selected
 * property changed (users/delta with $select tracks those alone), as Graph's user: delta describes
 * it: by default with the selected properties that were ever set (null: cleared); with
 * `Prefer: return=minimal`, with only the properties that changed.
 */
function deltaItems(
  dir: FakeDirectory,
  kind: 'user' | 'group',
  since: number,
  userJson: (u: FakeUser) => unknown,
  select: string[] | undefined,
  minimal: boolean,
): unknown[] {
  const changed = dir.changes.filter((c) => c.version > since && c.kind === kind);
  const items: unknown[] = [];
  for (const id of new Set(changed.map((c) => c.id))) {
    if (kind === 'user') {
      const u = dir.users.get(id);
      if (!u) {
        items.push({ id, '@removed': { reason: 'deleted' } });
        continue;
      }
      const mine = changed.filter((c) => c.id === id);
      if (!select || mine.some((c) => c.created)) {
        items.push(userJson(u));
        continue;
      }
      const props = new Set(mine.flatMap((c) => c.props ?? []).filter((k) => select.includes(k)));
      if (props.size === 0) continue;
      const shown = minimal ? [...props] : select.filter((k) => k !== 'id' && k in u);
      items.push(Object.fromEntries([['id', id], ...shown.map((k) => [k, u[k] ?? null])]));
      continue;
    }
    const g = dir.groups.get(id);
    if (!g) {
      items.push({ id, '@removed': { reason: 'deleted' } });
      continue;
    }
    const members = changed
      .filter((c) => c.id === id && c.member)
      .map((c) => ({
        '@odata.type': dir.groups.has(c.member!.id) ? '#microsoft.graph.group' : '#microsoft.graph.user',
        id: c.member!.id,
        ...(c.member!.removed ? { '@removed': { reason: 'deleted' } } : {}),
      }));
    items.push({ id, displayName: g.displayName, ...(members.length > 0 ? { 'members@delta': members } : {}) });
  }
  return items;
}

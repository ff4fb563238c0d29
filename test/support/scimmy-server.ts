import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/**
 * A real SCIM 2.0 service provider this project did not write: SCIMMY (RFC 7643/7644 schemas,
 * filters, PATCH, /Bulk, ListResponse paging) behind its Express routers, on loopback, backed by
 * an in-memory store. The request log is the server's own (every call, method, path and status),
 * for counting writes.
 */
export interface ScimmyServer {
  /** `http://127.0.0.1:PORT/scim/v2`. */
  readonly url: string;
  readonly token: string;
  readonly requestLog: { method: string; path: string; status: number; ms: number }[];
  readonly users: Map<string, StoredUser>;
  readonly groups: Map<string, StoredGroup>;
  close(): Promise<void>;
}

export interface StoredUser {
  id: string;
  userName: string;
  externalId?: string;
  displayName?: string;
  name?: { givenName?: string; familyName?: string };
  emails?: { value: string; primary?: boolean; type?: string }[];
  active?: boolean;
  roles?: { value: string }[];
  [k: string]: unknown;
}

export interface StoredGroup {
  id: string;
  displayName: string;
  members?: { value: string; display?: string }[];
  [k: string]: unknown;
}

/** The store the declared handlers serve (SCIMMY's resource declarations are global: one server at a time). */
let store: { users: Map<string, StoredUser>; groups: Map<string, StoredGroup> } | undefined;
let declared = false;

const fail = (status: number, scimType: string | null, detail: string) =>
  new SCIMMY.Types.Error(status, scimType as never, detail);

const plain = <T>(v: unknown): T => JSON.parse(JSON.stringify(v)) as T;

function live(): NonNullable<typeof store> {
  if (!store) throw fail(503, null, 'no store');
  return store;
}

function declare(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance) => {
      const { users } = live();
      const data = plain<{ userName: string; [k: string]: unknown }>(instance);
      const clash = [...users.values()].find(
        (u) => u.userName.toLowerCase() === data.userName.toLowerCase() && u.id !== resource.id,
      );
      if (clash) throw fail(409, 'uniqueness', `userName ${data.userName} is already in use`);
      if (resource.id !== undefined && !users.has(resource.id)) throw fail(404, null, `User ${resource.id} not found`);
      const id = resource.id ?? randomUUID();
      const { schemas: _s, meta: _m, ...rest } = data as Record<string, unknown>;
      const u = { ...rest, id } as StoredUser;
      users.set(id, u);
      return u as never;
    })
    .egress((resource) => {
      const { users } = live();
      if (resource.id !== undefined) {
        const u = users.get(resource.id);
        if (!u) throw fail(404, null, `User ${resource.id} not found`);
        return u as never;
      }
      const all = [...users.values()];
      return (resource.filter ? resource.filter.match(all) : all) as never;
    })
    .degress((resource) => {
      const { users, groups } = live();
      if (!users.delete(resource.id!)) throw fail(404, null, `User ${resource.id} not found`);
      for (const g of groups.values()) g.members = (g.members ?? []).filter((m) => m.value !== resource.id);
    });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance) => {
      const { groups, users } = live();
      const data = plain<{ displayName: string; members?: { value: string }[]; [k: string]: unknown }>(instance);
      const clash = [...groups.values()].find(
        (g) => g.displayName.toLowerCase() === data.displayName.toLowerCase() && g.id !== resource.id,
      );
      if (clash) throw fail(409, 'uniqueness', `a group named ${data.displayName} already exists`);
      if (resource.id !== undefined && !groups.has(resource.id))
        throw fail(404, null, `Group ${resource.id} not found`);
      for (const m of data.members ?? [])
        if (!users.has(m.value)) throw fail(400, 'invalidValue', `members: no user with id ${m.value}`);
      const id = resource.id ?? randomUUID();
      const { schemas: _s, meta: _m, ...rest } = data as Record<string, unknown>;
      const g = { ...rest, id, members: (data.members ?? []).map((m) => ({ value: m.value })) } as StoredGroup;
      groups.set(id, g);
      return g as never;
    })
    .egress((resource) => {
      const { groups } = live();
      if (resource.id !== undefined) {
        const g = groups.get(resource.id);
        if (!g) throw fail(404, null, `Group ${resource.id} not found`);
        return g as never;
      }
      const all = [...groups.values()];
      return (resource.filter ? resource.filter.match(all) : all) as never;
    })
    .degress((resource) => {
      if (!live().groups.delete(resource.id!)) throw fail(404, null, `Group ${resource.id} not found`);
    });
}

/** Starts the server; `bulk: false` makes /ServiceProviderConfig say bulk is not supported. */
export async function startScimmyServer(
  o: { token?: string; bulk?: { maxOperations: number; maxPayloadSize: number } | false; maxResults?: number } = {},
): Promise<ScimmyServer> {
  const token = o.token ?? 'scimmy-test-token';
  const users = new Map<string, StoredUser>();
  const groups = new Map<string, StoredGroup>();
  store = { users, groups };
  declare();
  const requestLog: ScimmyServer['requestLog'] = [];
  const app = express();
  // SCIMMY reads startIndex and count only as numbers (Number.isInteger), and a query string is
  // text: the embedding application turns integer parameters into numbers, or every list would be
  // its first 20 resources.
  app.set('query parser', (qs: string) =>
    Object.fromEntries(
      [...new URLSearchParams(qs)].map(([k, v]) => [
        k,
        /^(startIndex|count)$/.test(k) && /^\d+$/.test(v) ? Number(v) : v,
      ]),
    ),
  );
  app.use((req, res, next) => {
    const t = performance.now();
    res.on('finish', () =>
      requestLog.push({ method: req.method, path: req.originalUrl, status: res.statusCode, ms: performance.now() - t }),
    );
    next();
  });
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      handler: (req: express.Request) => {
        if (req.header('authorization') !== `Bearer ${token}`) throw new Error('Authorization failure');
        return 'rostersync';
      },
    }) as unknown as express.Router,
  );
  SCIMMY.Config.set('bulk', o.bulk ? { supported: true, ...o.bulk } : { supported: false });
  SCIMMY.Config.set('filter', { supported: true, maxResults: o.maxResults ?? 200 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    token,
    requestLog,
    users,
    groups,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        if (store?.users === users) store = undefined;
      }),
  };
}

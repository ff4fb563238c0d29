import { TargetHttpError } from '../../errors/index.js';
import type { ScimClient } from './client.js';
import { resourceTypesSchema, schemasSchema, serviceProviderConfigSchema } from './payloads.js';

/**
 * What the server says it supports (RFC 7643 5-7): the plan and every write follow it. Plain JSON:
 * stored with the run (TargetFacts.scim), so every op of the run is applied with what its read found.
 */
export interface ScimServerFacts {
  patch: boolean;
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  etag: boolean;
  /** Resource type names (User, Group, ...). */
  resourceTypes: string[];
  /** User attributes the server's User schema lists (roles, entitlements, ...); undefined when /Schemas was not readable. */
  userAttributes?: string[];
}

export interface ScimDiscovery extends ScimServerFacts {
  /** GETs spent. */
  requests: number;
}

/** The discovery without its cost: what the run stores. */
export function serverFacts({ requests: _spent, ...facts }: ScimDiscovery): ScimServerFacts {
  return facts;
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/**
 * /ServiceProviderConfig (required by RFC 7644 4), then /ResourceTypes and /Schemas where the
 * server has them (a 404 there leaves the RFC's defaults). Read once per target object.
 */
export async function discover(client: ScimClient): Promise<ScimDiscovery> {
  const spc = await client.get('ServiceProviderConfig', serviceProviderConfigSchema);
  let requests = 1;
  const optional = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    requests++;
    try {
      return await read();
    } catch (err) {
      if (err instanceof TargetHttpError && (err.status === 404 || err.status === 501)) return undefined;
      throw err;
    }
  };
  const types = await optional(() => client.get('ResourceTypes', resourceTypesSchema));
  const schemas = await optional(() => client.get('Schemas', schemasSchema));
  const typeList = types === undefined ? [] : Array.isArray(types) ? types : (types.Resources ?? []);
  const schemaList = schemas === undefined ? undefined : Array.isArray(schemas) ? schemas : (schemas.Resources ?? []);
  const user = schemaList?.find((s) => s.id === USER);
  return {
    patch: spc.patch?.supported ?? false,
    bulk: {
      supported: spc.bulk?.supported ?? false,
      maxOperations: Math.max(0, spc.bulk?.maxOperations ?? 0),
      maxPayloadSize: Math.max(0, spc.bulk?.maxPayloadSize ?? 0),
    },
    filter: { supported: spc.filter?.supported ?? false, maxResults: spc.filter?.maxResults ?? 0 },
    etag: spc.etag?.supported ?? false,
    resourceTypes: typeList.map((t) => t.name ?? t.endpoint ?? '').filter((n) => n !== ''),
    ...(user ? { userAttributes: (user.attributes ?? []).map((a) => a.name) } : {}),
    requests,
  };
}

/** One line per fact, for `validate`. */
export function describeDiscovery(d: ScimServerFacts): string {
  const bulk = d.bulk.supported
    ? `bulk: yes (maxOperations ${d.bulk.maxOperations}, maxPayloadSize ${d.bulk.maxPayloadSize})`
    : 'bulk: no';
  const filter = d.filter.supported ? `filter: yes (maxResults ${d.filter.maxResults || 'unset'})` : 'filter: no';
  return [
    `patch: ${d.patch ? 'yes' : 'no (PUT)'}`,
    bulk,
    filter,
    `etag: ${d.etag ? 'yes' : 'no'}`,
    `resource types: ${d.resourceTypes.join(', ') || 'not listed'}`,
  ].join('; ');
}

import type { ScimServerFacts } from './discovery.js';
import type { ScimProfileName } from './schema.js';

export type PatchOperation = { op: 'add' | 'remove' | 'replace'; path?: string; value?: unknown };

/** How one server wants its writes shaped (docs/targets-scim.md, "Server profiles"). */
export interface ScimProfile {
  /** No PATCH: a change is the whole resource, read and sent back by PUT. */
  put: boolean;
  active(value: boolean): boolean | string;
  /** PATCH operations setting these top-level attributes to absolute values. */
  replace(values: Record<string, unknown>): PatchOperation[];
  /** PATCH operations adding and removing these members (user ids). */
  members(adds: string[], removes: string[]): PatchOperation[];
}

const addMembers = (adds: string[]): PatchOperation[] =>
  adds.length > 0 ? [{ op: 'add', path: 'members', value: adds.map((value) => ({ value })) }] : [];

/** RFC 7644 3.5.2: replace by path, members removed by a value filter path, active a boolean. */
const RFC: ScimProfile = {
  put: false,
  active: (v) => v,
  replace: (values) => Object.entries(values).map(([path, value]) => ({ op: 'replace', path, value })),
  members: (adds, removes) => [
    ...addMembers(adds),
    ...removes.map((id) => ({ op: 'remove' as const, path: `members[value eq ${JSON.stringify(id)}]` })),
  ],
};

export const PROFILES: Record<ScimProfileName, ScimProfile> = {
  rfc7644: RFC,
  // Servers that do not take a filter in a remove path, and want the members as a value list
  // (the shape Microsoft Entra's provisioning sends).
  'value-list': {
    ...RFC,
    members: (adds, removes) => [
      ...addMembers(adds),
      ...(removes.length > 0
        ? [{ op: 'remove' as const, path: 'members', value: removes.map((value) => ({ value })) }]
        : []),
    ],
  },
  // Servers that apply a replace only as a value object without a path. Some merge a multi-valued
  // attribute given that way into the old values (SCIMMY appends emails): those are removed first.
  'replace-without-path': {
    ...RFC,
    replace: (values) => [
      ...Object.entries(values)
        .filter(([, v]) => Array.isArray(v))
        .map(([path]) => ({ op: 'remove' as const, path })),
      { op: 'replace', value: values },
    ],
  },
  // Servers that model active as a string ("true"/"false") and refuse a boolean.
  'string-active': { ...RFC, active: (v) => (v ? 'true' : 'false') },
  // Servers without PATCH (/ServiceProviderConfig patch.supported false): whole resources by PUT.
  'put-only': { ...RFC, put: true },
};

/** The configured profile, by PUT where the server says it has no PATCH. */
export function profileOf(name: ScimProfileName, discovery: ScimServerFacts): ScimProfile {
  const p = PROFILES[name];
  return discovery.patch || p.put ? p : { ...p, put: true };
}

import { z } from 'zod';
import { attributesSchema } from '../attributes.js';

const scope = z.enum(['base', 'one', 'sub']).default('sub');

/** Short names operators write for a preset, and the preset each stands for. */
const PRESET_ALIASES = { ad: 'active-directory' } as const;
const PRESETS = ['openldap', 'active-directory'] as const;
const ACCEPTED = `${[...PRESETS, ...Object.entries(PRESET_ALIASES).map(([alias, full]) => `${alias} (short for ${full})`)].join(', ')}`;

// Aliases are resolved here, once: the rest of the source only ever sees the full preset names.
const preset = z
  .enum([...PRESETS, ...(Object.keys(PRESET_ALIASES) as (keyof typeof PRESET_ALIASES)[])], {
    error: `unknown preset; expected one of: ${ACCEPTED}`,
  })
  .default('openldap')
  .transform((p): (typeof PRESETS)[number] =>
    p in PRESET_ALIASES ? PRESET_ALIASES[p as keyof typeof PRESET_ALIASES] : (p as (typeof PRESETS)[number]),
  )
  .describe(`Defaults for OpenLDAP or Active Directory: ${ACCEPTED}.`);

const peopleSearch = z
  .object({
    baseDn: z.string().min(1),
    filter: z.string().optional().describe('LDAP filter written by the operator; the preset gives a default.'),
    scope,
    memberOf: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Only members of these groups (DNs, escaped into the filter). With active-directory and nested: in-chain, nested members count too.',
      ),
  })
  .strict();

const groupsSearch = z
  .object({
    baseDn: z.string().min(1),
    filter: z.string().optional().describe('LDAP filter written by the operator; the preset gives a default.'),
    scope,
  })
  .strict();

/**
 * The shared `source.attributes` list. Before it existed `attributes` held what attributeNames holds:
 * such a config is told where that moved rather than only that a list was expected.
 */
const readList = z
  .array(z.string(), {
    error: (issue) =>
      issue.input !== null && typeof issue.input === 'object' && !Array.isArray(issue.input)
        ? 'expected a list of attributes to read for each person (e.g. [department, title]); the attributes that hold id, email, displayName, givenName, familyName, groupName and members are set under attributeNames'
        : undefined,
  })
  .optional()
  .pipe(attributesSchema)
  .describe(
    'LDAP attributes read for each person, for mapping rules and scoping filters (docs/sources-ldap.md#attributes). Multi-valued ones are kept as lists; values that are not text are dropped.',
  );

export const ldapSourceSchema = z
  .object({
    kind: z.literal('ldap'),
    url: z.string().regex(/^ldaps?:\/\/[^/]+\/?$/, 'expected ldap://host:port or ldaps://host:port'),
    startTls: z.boolean().default(false).describe('Upgrade an ldap:// connection with StartTLS before binding.'),
    caFile: z
      .string()
      .optional()
      .describe('PEM file of the CA that signed the server certificate (else the system CAs).'),
    insecureSkipVerify: z
      .boolean()
      .default(false)
      .describe('Do not verify the server certificate. Logged as a warning; for tests only.'),
    bindDn: z.string().min(1),
    bindPassword: z.string().min(1).optional().describe('Prefer ${LDAP_BIND_PASSWORD} or bindPasswordFile.'),
    bindPasswordFile: z.string().min(1).optional(),
    preset,
    people: peopleSearch,
    groups: groupsSearch,
    attributeNames: z
      .object({
        id: z.string().optional().describe('Immutable id (openldap: entryUUID; active-directory: objectGUID).'),
        email: z.array(z.string()).optional().describe('Tried in order: the first with a value is the email.'),
        displayName: z.string().optional(),
        givenName: z.string().optional(),
        familyName: z.string().optional(),
        groupName: z.string().optional(),
        members: z.array(z.string()).optional(),
      })
      .strict()
      .prefault({})
      .describe('The attributes that hold each essential of a person or group; the preset gives the defaults.'),
    attributes: readList,
    disabled: z
      .object({
        attribute: z.string().min(1),
        values: z
          .array(z.string())
          .min(1)
          .optional()
          .describe(
            'Disabled when the attribute holds one of these (case-insensitive); without values, when it is present at all.',
          ),
      })
      .strict()
      .optional()
      .describe(
        'OpenLDAP has no standard "disabled" flag: e.g. {attribute: employeeType, values: [disabled]}. ppolicy locks count without it (ppolicyLockDisables); AD uses userAccountControl bit 0x2 as well.',
      ),
    ppolicyLockDisables: z
      .boolean()
      .default(true)
      .describe(
        'OpenLDAP: an account ppolicy has locked (pwdAccountLockedTime present, temporary lockouts included) counts as disabled, with or without `disabled`. false: locks are ignored.',
      ),
    nested: z
      .enum(['members', 'in-chain'])
      .default('members')
      .describe('AD only: in-chain asks the DC for transitive members (LDAP_MATCHING_RULE_IN_CHAIN).'),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .default(500)
      .describe('Entries per page (paged results control); at most 1000 for Active Directory (MaxPageSize).'),
    connectTimeoutMs: z.number().int().positive().default(5000),
    timeoutMs: z.number().int().positive().default(60_000).describe('Per LDAP operation (one page, one range chunk).'),
    timeLimitSeconds: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Server-side limit per search request; 0 = none (ldapts would send 10 s).'),
    maxClockSkewSeconds: z
      .number()
      .int()
      .min(0)
      .default(60)
      .describe(
        "OpenLDAP incremental reads: how far the server clock may be from this host's. Changes this recent are read again next time, so none made during a read is missed.",
      ),
  })
  .strict()
  .refine((c) => c.bindPassword !== undefined || c.bindPasswordFile !== undefined, {
    message: 'set bindPassword (e.g. ${LDAP_BIND_PASSWORD}) or bindPasswordFile',
    path: ['bindPassword'],
  })
  .refine((c) => !(c.startTls && c.url.startsWith('ldaps:')), {
    message: 'startTls is for ldap:// URLs; ldaps:// is already TLS',
    path: ['startTls'],
  })
  .refine((c) => c.preset !== 'active-directory' || c.pageSize <= 1000, {
    message: 'Active Directory serves at most 1000 entries per page (MaxPageSize)',
    path: ['pageSize'],
  });

export type LdapSourceConfig = z.infer<typeof ldapSourceSchema>;

import { z } from 'zod';

const search = z
  .object({
    baseDn: z.string().min(1),
    filter: z.string().optional().describe('LDAP filter; the preset gives a default.'),
    scope: z.enum(['base', 'one', 'sub']).default('sub'),
  })
  .strict();

export const ldapSourceSchema = z
  .object({
    kind: z.literal('ldap'),
    url: z.string().regex(/^ldaps?:\/\/[^/]+\/?$/, 'expected ldap://host:port or ldaps://host:port'),
    startTls: z.boolean().default(false).describe('Upgrade an ldap:// connection with StartTLS before binding.'),
    caFile: z.string().optional().describe('PEM file of the CA that signed the server certificate (else the system CAs).'),
    insecureSkipVerify: z.boolean().default(false).describe('Do not verify the server certificate. Logged as a warning; for tests only.'),
    bindDn: z.string().min(1),
    bindPassword: z.string().min(1).optional().describe('Prefer ${LDAP_BIND_PASSWORD} or bindPasswordFile.'),
    bindPasswordFile: z.string().min(1).optional(),
    preset: z.enum(['openldap', 'active-directory']).default('openldap'),
    people: search,
    groups: search,
    attributes: z
      .object({
        id: z.string().optional(),
        email: z.array(z.string()).optional().describe('Tried in order: the first with a value is the email.'),
        displayName: z.string().optional(),
        givenName: z.string().optional(),
        familyName: z.string().optional(),
        groupName: z.string().optional(),
        members: z.array(z.string()).optional(),
      })
      .strict()
      .prefault({}),
    disabled: z
      .object({ attribute: z.string(), values: z.array(z.string()).min(1) })
      .strict()
      .optional()
      .describe('OpenLDAP has no standard "disabled" flag: a person is disabled when this attribute holds one of these values. AD uses userAccountControl.'),
    nested: z.enum(['members', 'in-chain']).default('members').describe('AD only: in-chain asks the DC for transitive members (LDAP_MATCHING_RULE_IN_CHAIN).'),
    pageSize: z.number().int().min(1).max(1000).default(500),
    connectTimeoutMs: z.number().int().positive().default(5000),
    timeoutMs: z.number().int().positive().default(60_000).describe('Per LDAP operation (one page).'),
    timeLimitSeconds: z.number().int().min(0).default(0).describe('Server-side limit per search; 0 = none (ldapts would send 10 s).'),
  })
  .strict()
  .refine((c) => c.bindPassword !== undefined || c.bindPasswordFile !== undefined, { message: 'set bindPassword (e.g. ${LDAP_BIND_PASSWORD}) or bindPasswordFile', path: ['bindPassword'] })
  .refine((c) => !(c.startTls && c.url.startsWith('ldaps:')), { message: 'startTls is for ldap:// URLs; ldaps:// is already TLS', path: ['startTls'] });

export type LdapSourceConfig = z.infer<typeof ldapSourceSchema>;

import { z } from 'zod';

/**
 * LDAP / Active Directory sync (issue 11): the admin's configuration, the dry-run diff and the result of a sync.
 * People are matched by a stored external id (entryUUID / objectGUID, else the entry's DN), then by login; people
 * that left the directory are disabled, never deleted. See docs/integrations.md.
 */

export const LDAP_FLAVOURS = ['openldap', 'active_directory'] as const;
export type LdapFlavour = (typeof LDAP_FLAVOURS)[number];

const attr = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, { message: 'an LDAP attribute name' });
const dn = z.string().trim().min(3).max(1024);

export const ldapAttributeMapSchema = z.strictObject({
  login: attr,
  displayName: attr,
  mail: attr.nullable(),
  mobile: attr.nullable(),
  title: attr.nullable(),
  employeeNumber: attr.nullable(),
  /** Only used when `departmentSource` is 'attribute'. */
  department: attr.nullable(),
  manager: attr.nullable(),
  /** The stable id of an entry; the DN is used when the entry has none. */
  externalId: attr.nullable(),
});
export type LdapAttributeMap = z.infer<typeof ldapAttributeMapSchema>;

/** The defaults the server fills in for the attributes a request leaves out. */
export const LDAP_DEFAULT_ATTRIBUTES: Record<LdapFlavour, LdapAttributeMap> = {
  openldap: {
    login: 'uid',
    displayName: 'cn',
    mail: 'mail',
    mobile: 'mobile',
    title: 'title',
    employeeNumber: 'employeeNumber',
    department: 'departmentNumber',
    manager: 'manager',
    externalId: 'entryUUID',
  },
  active_directory: {
    login: 'sAMAccountName',
    displayName: 'displayName',
    mail: 'mail',
    mobile: 'mobile',
    title: 'title',
    employeeNumber: 'employeeNumber',
    department: 'department',
    manager: 'manager',
    externalId: 'objectGUID',
  },
};

export const LDAP_DEFAULT_USER_FILTER: Record<LdapFlavour, string> = {
  openldap: '(objectClass=inetOrgPerson)',
  active_directory: '(&(objectCategory=person)(objectClass=user))',
};

export const LDAP_SYNC_INTERVALS = [0, 15, 30, 60, 180, 360, 720, 1440] as const;

const filter = z
  .string()
  .trim()
  .min(3)
  .max(2048)
  .regex(/^\(.*\)$/s, { message: 'an LDAP filter in parentheses' });

export const putLdapConfigRequestSchema = z.strictObject({
  enabled: z.boolean(),
  flavour: z.enum(LDAP_FLAVOURS),
  url: z
    .string()
    .trim()
    .max(500)
    // A host name, IPv4 or [IPv6] literal and a port up to 65535 only: the LDAP client parses URLs as WHATWG URLs
    // and would refuse others (e.g. `ldap://a\`) at sync time.
    .regex(/^ldaps?:\/\/(\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\]|[A-Za-z0-9._-]+)(:\d{1,5})?\/?$/i, {
      message: 'ldap://host[:port] or ldaps://host[:port]',
    })
    .refine((u) => Number(/:(\d+)\/?$/.exec(u)?.[1] ?? 0) <= 65535, { message: 'the port is above 65535' }),
  /** Verify the server's TLS certificate (ldaps:// only). */
  tlsVerify: z.boolean().default(true),
  bindDn: dn,
  /** Left out: keep the stored password. */
  bindPassword: z.string().min(1).max(1024).optional(),
  baseDns: z.array(dn).min(1).max(10),
  userFilter: filter.optional(),
  /** 'ou': the department is the chain of OUs in the person's DN below the base DN; 'attribute': one department per
   * value of the department attribute; 'none': departments are not touched. */
  departmentSource: z.enum(['ou', 'attribute', 'none']).default('ou'),
  /** Also create departments for OUs without people (searched with this filter); null: only OUs people are in. */
  ouFilter: filter.nullable().default('(objectClass=organizationalUnit)'),
  attributes: ldapAttributeMapSchema.partial().default({}),
  /** Minutes between scheduled syncs; 0: scheduled sync is off. */
  intervalMinutes: z
    .number()
    .int()
    .refine((n) => (LDAP_SYNC_INTERVALS as readonly number[]).includes(n), {
      message: `one of ${LDAP_SYNC_INTERVALS.join(', ')}`,
    })
    .default(0),
});
export type PutLdapConfigRequest = z.input<typeof putLdapConfigRequestSchema>;

export const LDAP_ENTRY_ERROR_REASONS = [
  'missing_login',
  'bad_login',
  'duplicate_login',
  'bad_value',
  'duplicate_employee_no',
  'employee_no_taken',
  'login_taken',
  'unknown_manager',
  'manager_skipped',
  'manager_cycle',
  'too_deep',
  'rejected',
] as const;
export type LdapEntryErrorReason = (typeof LDAP_ENTRY_ERROR_REASONS)[number];

export const ldapEntryErrorSchema = z.object({
  dn: z.string(),
  reason: z.enum(LDAP_ENTRY_ERROR_REASONS),
  message: z.string(),
});
export type LdapEntryError = z.infer<typeof ldapEntryErrorSchema>;

export const ldapFieldChangeSchema = z.object({
  field: z.enum(['displayName', 'email', 'phone', 'employeeNo', 'title', 'department', 'manager', 'status', 'login']),
  before: z.string().nullable(),
  after: z.string().nullable(),
});
export type LdapFieldChange = z.infer<typeof ldapFieldChangeSchema>;

export const ldapPersonChangeSchema = z.object({
  dn: z.string(),
  login: z.string(),
  displayName: z.string(),
  /** Set for people that exist in Miyu. */
  userId: z.string().nullable(),
  changes: z.array(ldapFieldChangeSchema),
});
export type LdapPersonChange = z.infer<typeof ldapPersonChangeSchema>;

export const ldapDepartmentChangeSchema = z.object({
  dn: z.string(),
  name: z.string(),
  /** Path of names from the top, e.g. "Engineering / Platform". */
  path: z.string(),
});
export type LdapDepartmentChange = z.infer<typeof ldapDepartmentChangeSchema>;

export const ldapSyncDiffSchema = z.object({
  create: z.array(ldapPersonChangeSchema),
  update: z.array(ldapPersonChangeSchema),
  disable: z.array(ldapPersonChangeSchema),
  departments: z.array(ldapDepartmentChangeSchema),
});
export type LdapSyncDiff = z.infer<typeof ldapSyncDiffSchema>;

export const ldapSyncCountsSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  disabled: z.number().int(),
  departmentsCreated: z.number().int(),
  skipped: z.number().int(),
});

export const ldapSyncResultSchema = z.object({
  dryRun: z.boolean(),
  trigger: z.enum(['manual', 'scheduled', 'preview']),
  startedAt: z.string(),
  finishedAt: z.string(),
  entries: z.number().int(),
  diff: ldapSyncDiffSchema,
  counts: ldapSyncCountsSchema,
  errors: z.array(ldapEntryErrorSchema),
});
export type LdapSyncResult = z.infer<typeof ldapSyncResultSchema>;

export const ldapConfigSchema = z.object({
  configured: z.boolean(),
  enabled: z.boolean(),
  flavour: z.enum(LDAP_FLAVOURS),
  url: z.string(),
  tlsVerify: z.boolean(),
  bindDn: z.string(),
  /** The bind password itself is never returned. */
  passwordSet: z.boolean(),
  baseDns: z.array(z.string()),
  userFilter: z.string(),
  departmentSource: z.enum(['ou', 'attribute', 'none']),
  ouFilter: z.string().nullable(),
  attributes: ldapAttributeMapSchema,
  intervalMinutes: z.number().int(),
  updatedAt: z.string().nullable(),
  lastSync: z
    .object({
      at: z.string(),
      trigger: z.enum(['manual', 'scheduled']),
      ok: z.boolean(),
      counts: ldapSyncCountsSchema.nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
});
export type LdapConfigDto = z.infer<typeof ldapConfigSchema>;

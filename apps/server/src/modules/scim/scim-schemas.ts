import { SCIM_SCHEMA } from '@miyu/protocol';

/** An attribute definition as RFC 7643 §7 publishes it at /Schemas. */
export interface ScimAttribute {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'default' | 'never' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  subAttributes?: ScimAttribute[];
  referenceTypes?: string[];
}

type Options = Partial<Omit<ScimAttribute, 'name' | 'type' | 'description'>>;

function attr(name: string, type: ScimAttribute['type'], description: string, o: Options = {}): ScimAttribute {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...o,
  };
}

const multi = (name: string, description: string, subs: ScimAttribute[], o: Options = {}): ScimAttribute =>
  attr(name, 'complex', description, { multiValued: true, subAttributes: subs, ...o });

const valueTypePrimary = (kind: string): ScimAttribute[] => [
  attr('value', 'string', `The ${kind}.`),
  attr('type', 'string', `The kind of ${kind}: work, home, mobile, other.`),
  attr('primary', 'boolean', `The ${kind} Miyu keeps when several are sent.`),
];

export const USER_ATTRIBUTES: ScimAttribute[] = [
  attr('userName', 'string', 'The Miyu login name (letters, digits, dot, underscore, dash; case-insensitive).', {
    required: true,
    uniqueness: 'server',
  }),
  attr('name', 'complex', 'The name of the person; Miyu shows `displayName`, else `formatted`, else given + family.', {
    subAttributes: [
      attr('formatted', 'string', 'The full name.'),
      attr('givenName', 'string', 'The given name.'),
      attr('familyName', 'string', 'The family name.'),
    ],
  }),
  attr('displayName', 'string', 'The name shown in Miyu.'),
  attr('title', 'string', "The job title (also set on the person's primary department membership)."),
  attr('active', 'boolean', 'false disables the account (sessions end); it is never deleted.'),
  attr('password', 'string', 'Sets the password for password sign-in; never returned.', {
    mutability: 'writeOnly',
    returned: 'never',
  }),
  multi('emails', 'Email addresses; Miyu keeps one (the primary one, else the work one, else the first).', [
    ...valueTypePrimary('email address'),
  ]),
  multi('phoneNumbers', 'Phone numbers; Miyu keeps one (the primary one, else mobile, else work, else the first).', [
    ...valueTypePrimary('phone number'),
  ]),
  multi(
    'groups',
    'The departments the person belongs to (change them through Groups).',
    [
      attr('value', 'string', 'The department id.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The Group URI.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      attr('display', 'string', 'The department name.', { mutability: 'readOnly' }),
      attr('type', 'string', 'direct.', { mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly' },
  ),
];

export const ENTERPRISE_USER_ATTRIBUTES: ScimAttribute[] = [
  attr('employeeNumber', 'string', 'The employee number (unique in Miyu).', { uniqueness: 'server' }),
  attr('department', 'string', 'The department name as the identity provider has it (kept as text; use Groups).'),
  attr('manager', 'complex', "The person's manager.", {
    subAttributes: [
      attr('value', 'string', "The manager's User id."),
      attr('$ref', 'reference', "The manager's User URI.", { referenceTypes: ['User'] }),
      attr('displayName', 'string', "The manager's display name.", { mutability: 'readOnly' }),
    ],
  }),
];

export const GROUP_ATTRIBUTES: ScimAttribute[] = [
  attr('displayName', 'string', 'The department name.', { required: true }),
  multi('members', 'The direct members of the department (Users only).', [
    attr('value', 'string', 'The User id.', { mutability: 'immutable' }),
    attr('$ref', 'reference', 'The User URI.', { mutability: 'immutable', referenceTypes: ['User'] }),
    attr('display', 'string', "The member's display name.", { mutability: 'readOnly' }),
    attr('type', 'string', 'User.', { mutability: 'immutable' }),
  ]),
];

/** Attributes every resource has; `externalId` is the identity provider's own id for it. */
export const COMMON_ATTRIBUTES: ScimAttribute[] = [
  attr('id', 'string', 'The Miyu id.', { mutability: 'readOnly', returned: 'always', caseExact: true }),
  attr('externalId', 'string', "The identity provider's id.", { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata.', { mutability: 'readOnly' }),
  attr('schemas', 'string', 'The schemas of the resource.', { mutability: 'readOnly', multiValued: true }),
];

/**
 * Attributes of the standard schemas that Miyu accepts and ignores (Entra and Okta send several by default): a
 * PATCH or PUT naming them succeeds without storing them.
 */
export const IGNORED_ATTRIBUTES: Record<string, string[]> = {
  [SCIM_SCHEMA.user]: [
    'nickName',
    'profileUrl',
    'userType',
    'preferredLanguage',
    'locale',
    'timezone',
    'addresses',
    'ims',
    'photos',
    'entitlements',
    'roles',
    'x509Certificates',
  ],
  [SCIM_SCHEMA.enterpriseUser]: ['costCenter', 'organization', 'division'],
  [SCIM_SCHEMA.group]: [],
};

/** A resource type's attribute sets, by schema URN; the first schema is the core one. */
export interface ResourceDefs {
  core: string;
  schemas: Record<string, ScimAttribute[]>;
}

export const USER_DEFS: ResourceDefs = {
  core: SCIM_SCHEMA.user,
  schemas: {
    [SCIM_SCHEMA.user]: [...COMMON_ATTRIBUTES, ...USER_ATTRIBUTES],
    [SCIM_SCHEMA.enterpriseUser]: ENTERPRISE_USER_ATTRIBUTES,
  },
};

export const GROUP_DEFS: ResourceDefs = {
  core: SCIM_SCHEMA.group,
  schemas: { [SCIM_SCHEMA.group]: [...COMMON_ATTRIBUTES, ...GROUP_ATTRIBUTES] },
};

export type Resolved = { kind: 'attribute'; attribute: ScimAttribute } | { kind: 'ignored'; name: string } | null;

/** Finds an attribute by name, case-insensitively (RFC 7643 §2.1). */
export function resolveAttribute(defs: ResourceDefs, schema: string, name: string): Resolved {
  const lower = name.toLowerCase();
  const found = defs.schemas[schema]?.find((a) => a.name.toLowerCase() === lower);
  if (found) return { kind: 'attribute', attribute: found };
  const ignored = IGNORED_ATTRIBUTES[schema]?.find((n) => n.toLowerCase() === lower);
  return ignored ? { kind: 'ignored', name: ignored } : null;
}

export function subAttribute(parent: ScimAttribute, name: string): ScimAttribute | null {
  const lower = name.toLowerCase();
  return parent.subAttributes?.find((a) => a.name.toLowerCase() === lower) ?? null;
}

/** The schema URN a name denotes (case-insensitively), or null. */
export function schemaOf(defs: ResourceDefs, name: string): string | null {
  const lower = name.toLowerCase();
  return Object.keys(defs.schemas).find((s) => s.toLowerCase() === lower) ?? null;
}

/**
 * Rewrites the keys of a request body to the attributes' own spelling (attribute names are case-insensitive), one
 * level into complex attributes and the enterprise extension. Unknown keys stay as they are (and are ignored).
 */
export function canonicalKeys(defs: ResourceDefs, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const extension = schemaOf(defs, key);
    if (extension && extension !== defs.core && isObject(value)) {
      out[extension] = canonicalIn(defs, extension, value);
      continue;
    }
    const found = resolveAttribute(defs, defs.core, key);
    if (found?.kind !== 'attribute') {
      out[key] = value;
      continue;
    }
    out[found.attribute.name] = canonicalSub(found.attribute, value);
  }
  return out;
}

function canonicalIn(defs: ResourceDefs, schema: string, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const found = resolveAttribute(defs, schema, key);
    out[found?.kind === 'attribute' ? found.attribute.name : key] =
      found?.kind === 'attribute' ? canonicalSub(found.attribute, value) : value;
  }
  return out;
}

function canonicalSub(attribute: ScimAttribute, value: unknown): unknown {
  if (!attribute.subAttributes) return value;
  const fix = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[subAttribute(attribute, k)?.name ?? k] = x;
    return out;
  };
  return Array.isArray(value) ? value.map(fix) : fix(value);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

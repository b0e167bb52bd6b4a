import { z } from 'zod';

/**
 * SCIM 2.0 provisioning (RFC 7643 / RFC 7644) at `/scim/v2`: identity providers (Okta, Microsoft Entra) create,
 * update and disable people (Users) and departments (Groups). Bodies are `application/scim+json`; errors use the SCIM
 * error schema, never the `{error:{code}}` shape of /api. Authentication is a service token with scope
 * `scim:provision` only (see docs/integrations.md).
 */
export const SCIM_BASE_PATH = '/scim/v2';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

export const SCIM_SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** `count` when the client gives none, and the most one page returns. */
export const SCIM_DEFAULT_PAGE_SIZE = 100;
export const SCIM_MAX_PAGE_SIZE = 200;
/** Operations in one PATCH request. */
export const SCIM_MAX_PATCH_OPERATIONS = 1000;
/** Members in one Group body (POST/PUT) or one PATCH value. */
export const SCIM_MAX_GROUP_MEMBERS = 10_000;

/** RFC 7644 §3.12 `scimType` values. */
export const SCIM_ERROR_TYPES = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
] as const;
export type ScimErrorType = (typeof SCIM_ERROR_TYPES)[number];

export interface ScimErrorBody {
  schemas: [typeof SCIM_SCHEMA.error];
  /** The HTTP status, as a string (RFC 7644 §3.12). */
  status: string;
  scimType?: ScimErrorType;
  detail: string;
}

export interface ScimMeta {
  resourceType: 'User' | 'Group' | 'ServiceProviderConfig' | 'ResourceType' | 'Schema';
  created?: string;
  lastModified?: string;
  location: string;
}

export interface ScimMultiValue {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
  $ref?: string;
}

export interface ScimUser {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name: { formatted: string; givenName?: string; familyName?: string };
  displayName: string;
  emails: ScimMultiValue[];
  phoneNumbers: ScimMultiValue[];
  title?: string;
  active: boolean;
  groups: ScimMultiValue[];
  [SCIM_SCHEMA.enterpriseUser]?: {
    employeeNumber?: string;
    department?: string;
    manager?: { value: string; displayName?: string; $ref?: string };
  };
  meta: ScimMeta;
}

export interface ScimGroup {
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  members: ScimMultiValue[];
  meta: ScimMeta;
}

export interface ScimListResponse<T> {
  schemas: [typeof SCIM_SCHEMA.listResponse];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

/** Entra sends booleans as "True"/"False" strings; both spellings are accepted wherever SCIM has a boolean. */
export const scimBooleanSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : v),
  z.boolean(),
);

const multiValueInput = z.looseObject({
  value: z.string().trim().max(254).optional(),
  type: z.string().max(64).optional(),
  primary: scimBooleanSchema.optional(),
  display: z.string().max(200).optional(),
});

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/**
 * A User as written by POST and PUT (and the result of a PATCH): attributes Miyu does not keep (addresses,
 * preferredLanguage, …) are accepted and ignored, read-only ones (`id`, `meta`, `groups`) are ignored.
 */
export const scimUserInputSchema = z.looseObject({
  userName: z.string().trim().min(1).max(254),
  externalId: optionalText(256),
  displayName: optionalText(100),
  name: z
    .looseObject({
      formatted: optionalText(100),
      givenName: optionalText(100),
      familyName: optionalText(100),
    })
    .nullable()
    .optional(),
  emails: z.array(multiValueInput).max(20).nullable().optional(),
  phoneNumbers: z.array(multiValueInput).max(20).nullable().optional(),
  title: optionalText(100),
  active: scimBooleanSchema.optional(),
  password: z.string().min(1).max(256).optional(),
  [SCIM_SCHEMA.enterpriseUser]: z
    .looseObject({
      employeeNumber: optionalText(64),
      department: optionalText(200),
      manager: z
        .union([z.string().trim().max(64), z.looseObject({ value: z.string().trim().max(64).nullable().optional() })])
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});
export type ScimUserInput = z.output<typeof scimUserInputSchema>;

export const scimGroupInputSchema = z.looseObject({
  displayName: z.string().trim().min(1).max(100),
  externalId: optionalText(256),
  members: z
    .array(z.looseObject({ value: z.string().trim().min(1).max(64) }))
    .max(SCIM_MAX_GROUP_MEMBERS)
    .nullable()
    .optional(),
});
export type ScimGroupInput = z.output<typeof scimGroupInputSchema>;

export const scimPatchRequestSchema = z.looseObject({
  schemas: z.array(z.string()).refine((s) => s.includes(SCIM_SCHEMA.patchOp), {
    message: `schemas must include ${SCIM_SCHEMA.patchOp}`,
  }),
  Operations: z
    .array(
      z.looseObject({
        op: z.string(),
        path: z.string().max(1000).optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(SCIM_MAX_PATCH_OPERATIONS),
});
export type ScimPatchRequest = z.output<typeof scimPatchRequestSchema>;

import { SCIM_MAX_PAGE_SIZE, SCIM_MAX_PATCH_OPERATIONS, SCIM_SCHEMA } from '@miyu/protocol';
import { SCIM_BODY_LIMIT } from './scim-body.middleware.js';
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_ATTRIBUTES,
  GROUP_ATTRIBUTES,
  type ScimAttribute,
  USER_ATTRIBUTES,
} from './scim-schemas.js';

/** The discovery documents of RFC 7644 §4, describing what this server really supports. */
export function serviceProviderConfig(base: string) {
  return {
    schemas: [SCIM_SCHEMA.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_PAGE_SIZE },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Service token',
        description: `A Miyu service token with the scope scim:provision (Authorization: Bearer miyu_pat_…). At most ${SCIM_MAX_PATCH_OPERATIONS} PATCH operations and ${SCIM_BODY_LIMIT} per request.`,
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: [SCIM_SCHEMA.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A Miyu account',
      schema: SCIM_SCHEMA.user,
      schemaExtensions: [{ schema: SCIM_SCHEMA.enterpriseUser, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM_SCHEMA.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A Miyu department',
      schema: SCIM_SCHEMA.group,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const EXTERNAL_ID = COMMON_ATTRIBUTES.filter((a) => a.name === 'externalId');

function schema(id: string, name: string, description: string, attributes: ScimAttribute[], base: string) {
  return {
    schemas: [SCIM_SCHEMA.schema],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  };
}

export function schemas(base: string) {
  return [
    schema(SCIM_SCHEMA.user, 'User', 'A Miyu account', [...EXTERNAL_ID, ...USER_ATTRIBUTES], base),
    schema(SCIM_SCHEMA.enterpriseUser, 'EnterpriseUser', 'Enterprise attributes', ENTERPRISE_USER_ATTRIBUTES, base),
    schema(SCIM_SCHEMA.group, 'Group', 'A Miyu department', [...EXTERNAL_ID, ...GROUP_ATTRIBUTES], base),
  ];
}

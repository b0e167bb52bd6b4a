import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles, TokenScopes } from '../auth/auth.decorators.js';
import { ScimExceptionFilter } from './scim-errors.js';
import { ScimTokenGuard } from './scim-token.guard.js';

/** Every SCIM controller: service tokens with scim:provision of an admin only, errors in the SCIM error schema. */
export const ScimEndpoint = () =>
  applyDecorators(
    ApiTags('scim'),
    ApiBearerAuth(),
    Roles('admin'),
    TokenScopes('scim:provision'),
    UseGuards(ScimTokenGuard),
    UseFilters(ScimExceptionFilter),
  );

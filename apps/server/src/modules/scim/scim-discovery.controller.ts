import { All, Controller, Get, Param } from '@nestjs/common';
import { ScimEndpoint } from './scim-decorators.js';
import { resourceTypes, schemas, serviceProviderConfig } from './scim-discovery.js';
import { ScimError } from './scim-errors.js';
import { listResponse } from './scim-resources.js';
import { ScimUsersService } from './scim-users.service.js';

/** RFC 7644 §4: what this service provider supports. */
@ScimEndpoint()
@Controller('scim/v2')
export class ScimDiscoveryController {
  private readonly base: string;

  constructor(users: ScimUsersService) {
    this.base = users.urls.base;
  }

  @Get('ServiceProviderConfig')
  serviceProviderConfig() {
    return serviceProviderConfig(this.base);
  }

  @Get('ResourceTypes')
  resourceTypes() {
    const all = resourceTypes(this.base);
    return listResponse(all, all.length, 1);
  }

  @Get('ResourceTypes/:id')
  resourceType(@Param('id') id: string) {
    const found = resourceTypes(this.base).find((r) => r.id === id);
    if (!found) throw ScimError.notFound();
    return found;
  }

  @Get('Schemas')
  schemas() {
    const all = schemas(this.base);
    return listResponse(all, all.length, 1);
  }

  @Get('Schemas/:id')
  schema(@Param('id') id: string) {
    const found = schemas(this.base).find((s) => s.id === id);
    if (!found) throw ScimError.notFound();
    return found;
  }

  /** Anything else under /scim/v2 (e.g. /Bulk, /Me, /.search): 404 in the SCIM error schema. Registered last. */
  @All('*path')
  unknown(): never {
    throw new ScimError(404, 'No such SCIM endpoint (bulk, /Me and .search are not supported).');
  }
}

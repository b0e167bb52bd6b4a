import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { OrgDirectoryModule } from '@miyu/org-directory';
import { UsersModule } from '../users/users.module.js';
import { ScimBodyMiddleware } from './scim-body.middleware.js';
import { ScimDiscoveryController } from './scim-discovery.controller.js';
import { ScimGroupsController } from './scim-groups.controller.js';
import { ScimGroupsService } from './scim-groups.service.js';
import { ScimUsersController } from './scim-users.controller.js';
import { ScimUsersService } from './scim-users.service.js';
import { ScimRepository } from './scim.repository.js';

/** SCIM 2.0 at /scim/v2 (docs/integrations.md "SCIM 2.0"): identity providers provision people and departments. */
@Module({
  imports: [UsersModule, OrgDirectoryModule],
  controllers: [ScimUsersController, ScimGroupsController, ScimDiscoveryController],
  providers: [ScimRepository, ScimUsersService, ScimGroupsService],
})
export class ScimModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ScimBodyMiddleware).forRoutes(ScimUsersController, ScimGroupsController, ScimDiscoveryController);
  }
}

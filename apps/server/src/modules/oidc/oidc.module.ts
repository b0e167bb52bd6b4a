import { Module } from '@nestjs/common';
import { SecretBox } from '../../common/security/secret-box.js';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { OidcAdminController } from './oidc-admin.controller.js';
import { OidcAuthController } from './oidc-auth.controller.js';
import { OidcClient } from './oidc-client.js';
import { OidcPeopleRepository, OidcRepository } from './oidc.repository.js';
import { OidcSettingsService } from './oidc-settings.service.js';
import { OidcSignInService } from './oidc-sign-in.service.js';
import { PasswordSignInPolicy } from './password-sign-in.policy.js';

/** OpenID Connect sign-in (docs/integrations.md). AuthModule enforces PasswordSignInPolicy on password sign-in. */
@Module({
  imports: [AuthModule, UsersModule],
  controllers: [OidcAdminController, OidcAuthController],
  providers: [
    SecretBox,
    OidcRepository,
    OidcPeopleRepository,
    OidcClient,
    OidcSettingsService,
    OidcSignInService,
    PasswordSignInPolicy,
  ],
})
export class OidcModule {}

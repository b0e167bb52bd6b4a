import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { PasswordHasher } from '../../common/security/password-hasher.js';
import { ApiTokensController, ServiceTokensController } from './api-tokens.controller.js';
import { ApiTokensRepository } from './api-tokens.repository.js';
import { ApiTokensService } from './api-tokens.service.js';
import { AuthAuditListener } from './auth-audit.listener.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { ThrottleRepository } from './throttle.repository.js';
import { UsersRepository } from './users.repository.js';
import { WordPolicyModule } from '../word-policy/word-policy.module.js';
import { PasswordSignInPolicy } from '../oidc/password-sign-in.policy.js';

@Module({
  imports: [WordPolicyModule],
  controllers: [AuthController, ApiTokensController, ServiceTokensController],
  providers: [
    UsersRepository,
    SessionsRepository,
    ThrottleRepository,
    SessionsService,
    ApiTokensRepository,
    ApiTokensService,
    LoginThrottleService,
    AuthService,
    AuthAuditListener,
    PasswordSignInPolicy,
    {
      provide: PasswordHasher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new PasswordHasher(config.passwordHash),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersRepository, SessionsService, PasswordHasher],
})
export class AuthModule {}

import { type DynamicModule, Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { APP_FILTER } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { AttachmentsModule } from './modules/attachments/attachments.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { DirectoryModule } from './modules/directory/directory.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { InboxModule } from './modules/inbox/inbox.module.js';
import { KeysModule } from './modules/keys/keys.module.js';
import { MessagingModule } from './modules/messaging/messaging.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { PresenceModule } from './modules/presence/presence.module.js';
import { ReceiptsModule } from './modules/receipts/receipts.module.js';
import { WordPolicyModule } from './modules/word-policy/word-policy.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { ComplianceModule } from './modules/compliance/compliance.module.js';
import { RealtimeModule } from './modules/realtime/realtime.module.js';
import { SetupModule } from './modules/setup/setup.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { OidcModule } from './modules/oidc/oidc.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { LdapSyncModule } from './modules/ldap-sync/ldap-sync.module.js';
import { ScimModule } from './modules/scim/scim.module.js';

/** Configuration and the database connection are made before Nest starts and handed in as values. */
@Global()
@Module({})
class CoreModule {
  static with(config: AppConfig, dataSource: DataSource): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DataSource, useValue: dataSource },
      ],
      exports: [APP_CONFIG, DataSource],
    };
  }
}

@Module({})
export class AppModule {
  static with(config: AppConfig, dataSource: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.with(config, dataSource),
        EventEmitterModule.forRoot({ wildcard: false }),
        MetricsModule,
        HealthModule,
        AuthModule,
        UsersModule,
        DirectoryModule,
        SetupModule,
        KeysModule,
        MessagingModule,
        InboxModule,
        AttachmentsModule,
        PresenceModule,
        ReceiptsModule,
        WordPolicyModule,
        AuditModule,
        ComplianceModule,
        RealtimeModule,
        WebhooksModule,
        OidcModule,
        LdapSyncModule,
        ScimModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { RealtimeGateway } from './realtime.gateway.js';

@Module({ imports: [AuthModule, KeysModule], providers: [RealtimeGateway], exports: [RealtimeGateway] })
export class RealtimeModule {}

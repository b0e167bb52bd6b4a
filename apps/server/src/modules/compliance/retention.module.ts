import { Module } from '@nestjs/common';
import { RetentionResolver } from './retention-resolver.js';

/** The retention check the send path needs, without the rest of the compliance module (no import cycle). */
@Module({ providers: [RetentionResolver], exports: [RetentionResolver] })
export class RetentionModule {}

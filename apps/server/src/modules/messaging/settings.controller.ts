import { Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type MessagingSettings, messagingSettingsPatchSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, Roles, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { MessagesService } from './messages.service.js';

@ApiTags('settings')
@Controller('api')
export class MessagingSettingsController {
  constructor(private readonly messages: MessagesService) {}

  /** Every member may read the settings that shape their client (e.g. whether to offer "recall"). */
  @SignedIn()
  @Get('settings/messaging')
  get(): Promise<MessagingSettings> {
    return this.messages.settings();
  }

  @Roles('admin')
  @Put('admin/settings/messaging')
  update(
    @CurrentActor() actor: Actor,
    @ZodBody(messagingSettingsPatchSchema) body: z.output<typeof messagingSettingsPatchSchema>,
  ): Promise<MessagingSettings> {
    return this.messages.updateSettings(actor, body);
  }
}

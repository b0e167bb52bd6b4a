import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { USER_DISABLED_EVENT, type UserDisabledEvent } from '../auth/auth.types.js';
import { KeysService } from './keys.service.js';

/** A disabled person's devices stop being used at once: revoked, their unclaimed prekeys dropped. */
@Injectable()
export class KeysListener {
  constructor(private readonly keys: KeysService) {}

  @OnEvent(USER_DISABLED_EVENT, { promisify: true })
  async onUserDisabled(event: UserDisabledEvent): Promise<void> {
    await this.keys.revokeDevices(event.userId, 'user_disabled');
  }
}

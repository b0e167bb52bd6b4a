import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DirectoryService } from '@miyu/org-directory';
import { USER_STATUS_CHANGED_EVENT, type UserStatusChangedEvent } from '../auth/auth.types.js';

/** Org-chart counts hold active people only: an account disabled or enabled again is recounted. */
@Injectable()
export class DirectoryListener {
  constructor(private readonly directory: DirectoryService) {}

  @OnEvent(USER_STATUS_CHANGED_EVENT, { promisify: true })
  async onUserStatusChanged(event: UserStatusChangedEvent): Promise<void> {
    await this.directory.personStatusChanged(event.userId);
  }
}

import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DirectoryService } from '@miyu/org-directory';
import {
  USER_PROFILE_CHANGED_EVENT,
  USER_STATUS_CHANGED_EVENT,
  type UserProfileChangedEvent,
  type UserStatusChangedEvent,
} from '../auth/auth.types.js';

/**
 * Keeps the directory in step with accounts: org-chart counts hold active people only (a status change is
 * recounted), and search terms follow names, numbers and emails as soon as they change.
 */
@Injectable()
export class DirectoryListener {
  constructor(private readonly directory: DirectoryService) {}

  @OnEvent(USER_STATUS_CHANGED_EVENT, { promisify: true })
  async onUserStatusChanged(event: UserStatusChangedEvent): Promise<void> {
    await this.directory.personStatusChanged(event.userId);
  }

  @OnEvent(USER_PROFILE_CHANGED_EVENT, { promisify: true })
  async onUserProfileChanged(event: UserProfileChangedEvent): Promise<void> {
    await this.directory.personChanged(event.userId);
  }
}

import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { type DepartmentGroup, DirectoryEvents, type GroupMembershipChangedEvent } from '@miyu/org-directory';
import type { DeviceAddedEvent, DeviceRemovedEvent } from '@miyu/protocol';
import { logger } from '../../common/logging/json-logger.js';
import { DEVICE_ADDED_EVENT, DEVICE_REMOVED_EVENT } from '../keys/keys.service.js';
import { ConversationsService } from './conversations.service.js';

/**
 * Reactions of messaging to other modules' domain events: department groups become conversations whose
 * membership follows the directory, and device-list changes appear in the timelines of the user's conversations.
 * Events of one department group are applied in order (creation before membership changes).
 */
@Injectable()
export class MessagingListeners {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly conversations: ConversationsService) {}

  @OnEvent(DirectoryEvents.groupCreated)
  onGroupCreated(event: { group: DepartmentGroup }): Promise<void> {
    return this.serial(event.group.id, () =>
      this.conversations.ensureDepartmentConversation(event.group.id, event.group.name),
    );
  }

  @OnEvent(DirectoryEvents.groupMembershipChanged)
  onGroupMembership(event: GroupMembershipChangedEvent): Promise<void> {
    return this.serial(event.groupId, () =>
      this.conversations.applyDirectoryMembership(event.groupId, event.added, event.removed),
    );
  }

  @OnEvent(DEVICE_ADDED_EVENT)
  onDeviceAdded(event: DeviceAddedEvent): Promise<void> {
    return this.guard(() =>
      this.conversations.announceDevice(event.userId, {
        type: 'device_added',
        userId: event.userId,
        deviceId: event.deviceId,
      }),
    );
  }

  @OnEvent(DEVICE_REMOVED_EVENT)
  onDeviceRemoved(event: DeviceRemovedEvent): Promise<void> {
    return this.guard(() =>
      this.conversations.announceDevice(event.userId, {
        type: 'device_removed',
        userId: event.userId,
        deviceId: event.deviceId,
      }),
    );
  }

  private serial(key: string, work: () => Promise<unknown>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(() => this.guard(work));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  private async guard(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      logger.event('error', 'messaging', 'event handler failed', { err });
    }
  }
}

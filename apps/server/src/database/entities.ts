import { ORG_DIRECTORY_ENTITIES } from '@miyu/org-directory';
import { AuthThrottleEntity } from '../modules/auth/entities/auth-throttle.entity.js';
import { RecoveryCodeEntity } from '../modules/auth/entities/recovery-code.entity.js';
import { SessionEntity } from '../modules/auth/entities/session.entity.js';
import { UserEntity } from '../modules/auth/entities/user.entity.js';
import { DeviceEntity } from '../modules/keys/entities/device.entity.js';
import { OneTimePrekeyEntity } from '../modules/keys/entities/one-time-prekey.entity.js';
import { ConversationMemberEntity } from '../modules/messaging/entities/conversation-member.entity.js';
import { ConversationEntity } from '../modules/messaging/entities/conversation.entity.js';
import { MessageEntity } from '../modules/messaging/entities/message.entity.js';
import { MessagingSettingsEntity } from '../modules/messaging/entities/messaging-settings.entity.js';
import { DeviceInboxEntity } from '../modules/inbox/entities/device-inbox.entity.js';
import { HistoryBackupEntity } from '../modules/inbox/entities/history-backup.entity.js';
import { HistoryRecoveryEntity } from '../modules/inbox/entities/history-recovery.entity.js';
import { AttachmentEntity } from '../modules/attachments/entities/attachment.entity.js';
import { SetupTokenEntity } from '../modules/setup/setup-token.entity.js';

export const ENTITIES = [
  UserEntity,
  SessionEntity,
  RecoveryCodeEntity,
  AuthThrottleEntity,
  SetupTokenEntity,
  ...ORG_DIRECTORY_ENTITIES,
  DeviceEntity,
  OneTimePrekeyEntity,
  ConversationEntity,
  ConversationMemberEntity,
  MessageEntity,
  MessagingSettingsEntity,
  AttachmentEntity,
  DeviceInboxEntity,
  HistoryBackupEntity,
  HistoryRecoveryEntity,
];

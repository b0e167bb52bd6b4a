import { Foundation1764100000000 } from './1764100000000-foundation.js';
import { OrgDirectory1764200000000 } from './1764200000000-org-directory.js';
import { Devices1764300000000 } from './1764300000000-devices.js';
import { Messaging1764400000000 } from './1764400000000-messaging.js';
import { InboxAndBackups1764450000000 } from './1764450000000-inbox-and-backups.js';
import { Recall1764460000000 } from './1764460000000-recall.js';
import { Attachments1764500000000 } from './1764500000000-attachments.js';
import { DirectoryCounts1764600000000 } from './1764600000000-directory-counts.js';
import { MentionsAll1764700000000 } from './1764700000000-mentions-all.js';
import { HistoryRecovery1764800000000 } from './1764800000000-history-recovery.js';
import { ClientSettings1764900000000 } from './1764900000000-client-settings.js';
import { ReadReceipts1765000000000 } from './1765000000000-read-receipts.js';
import { WordPolicy1765100000000 } from './1765100000000-word-policy.js';
import { AuditLog1765200000000 } from './1765200000000-audit-log.js';
import { ApiTokens1765290000000 } from './1765290000000-api-tokens.js';
import { Compliance1765300000000 } from './1765300000000-compliance.js';
import { ServiceTokens1765390000000 } from './1765390000000-service-tokens.js';
import { LdapSync1765400000000 } from './1765400000000-ldap-sync.js';
import { Oidc1765420000000 } from './1765420000000-oidc.js';
import { Scim1765410000000 } from './1765410000000-scim.js';
import { Webhooks1765430000000 } from './1765430000000-webhooks.js';
import { SendBatch1765440000000 } from './1765440000000-send-batch.js';

/** Every migration, in order. Hand-written and reviewed; entities must match them (see schema-drift test). */
export const MIGRATIONS = [
  Foundation1764100000000,
  OrgDirectory1764200000000,
  Devices1764300000000,
  Messaging1764400000000,
  InboxAndBackups1764450000000,
  Recall1764460000000,
  Attachments1764500000000,
  DirectoryCounts1764600000000,
  MentionsAll1764700000000,
  HistoryRecovery1764800000000,
  ClientSettings1764900000000,
  ReadReceipts1765000000000,
  WordPolicy1765100000000,
  AuditLog1765200000000,
  ApiTokens1765290000000,
  Compliance1765300000000,
  ServiceTokens1765390000000,
  LdapSync1765400000000,
  Scim1765410000000,
  Oidc1765420000000,
  Webhooks1765430000000,
  SendBatch1765440000000,
];

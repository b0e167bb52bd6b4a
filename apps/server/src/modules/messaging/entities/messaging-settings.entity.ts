import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { ReceiptsPolicy, WatermarkField } from '@miyu/protocol';

/** Organisation-wide messaging settings: a single row (id = 1), changed by admins. */
@Entity({ name: 'messaging_settings' })
@Check('messaging_settings_single_row', `id = 1`)
@Check('messaging_settings_receipts_policy_check', `receipts_policy IN ('enforced', 'optional')`)
export class MessagingSettingsEntity {
  @PrimaryColumn('smallint')
  id: number;

  @Column('integer', { name: 'recall_window_minutes', default: 1440 })
  recallWindowMinutes: number;

  @Column('boolean', { name: 'notification_previews', default: true })
  notificationPreviews: boolean;

  @Column('boolean', { name: 'watermark_enabled', default: true })
  watermarkEnabled: boolean;

  @Column('text', { name: 'watermark_fields', array: true, default: () => "'{name,employeeNo}'" })
  watermarkFields: WatermarkField[];

  @Column('text', { name: 'receipts_policy', default: 'enforced' })
  receiptsPolicy: ReceiptsPolicy;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}

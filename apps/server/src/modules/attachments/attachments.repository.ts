import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttachmentEntity } from './entities/attachment.entity.js';

@Injectable()
export class AttachmentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(attachment: AttachmentEntity): Promise<void> {
    await this.dataSource.getRepository(AttachmentEntity).insert(attachment);
  }

  findById(id: string): Promise<AttachmentEntity | null> {
    return this.dataSource.getRepository(AttachmentEntity).findOneBy({ id });
  }

  /** Takes the upload lease if the upload is incomplete, at `offset`, and nobody else holds a live lease. */
  async claimLease(id: string, offset: number, lease: string, ttlSeconds: number): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `UPDATE attachments SET upload_lease = $3, upload_lease_until = now() + make_interval(secs => $4)
       WHERE id = $1 AND completed_at IS NULL AND received = $2
         AND (upload_lease IS NULL OR upload_lease_until < now())
       RETURNING id`,
      [id, offset, lease, ttlSeconds],
    )) as [Array<{ id: string }>, number];
    return rows.length === 1;
  }

  /** Records what was stored and gives the lease back (only if it is still ours). */
  async releaseLease(id: string, lease: string, received: number, completed: boolean): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `UPDATE attachments
       SET received = $3, upload_lease = NULL, upload_lease_until = NULL,
           completed_at = CASE WHEN $4::boolean THEN now() ELSE NULL END
       WHERE id = $1 AND upload_lease = $2
       RETURNING id`,
      [id, lease, received, completed],
    )) as [Array<{ id: string }>, number];
    return rows.length === 1;
  }

  /** Incomplete uploads created before `cutoff`, oldest first (attachments_incomplete_idx). */
  async staleIncomplete(cutoff: Date, limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM attachments WHERE completed_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2`,
      [cutoff, limit],
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /** Deletes an incomplete upload that no request is writing; false if it completed or is being written. */
  async deleteIncomplete(id: string): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `DELETE FROM attachments
       WHERE id = $1 AND completed_at IS NULL AND (upload_lease IS NULL OR upload_lease_until < now())
       RETURNING id`,
      [id],
    )) as [Array<{ id: string }>, number];
    return rows.length === 1;
  }
}

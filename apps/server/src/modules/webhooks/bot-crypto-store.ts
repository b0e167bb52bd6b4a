import type { CryptoStore, StoreNamespace, StoreWrite } from '@miyu/crypto';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../../common/security/secret-box.js';

/**
 * A webhook bot device's libs/crypto state in PostgreSQL (`webhook_bot_store`), every value sealed with the
 * server's secret key (SecretBox). `write` applies a batch in one transaction, as the CryptoStore contract requires.
 */
export class PgBotCryptoStore implements CryptoStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly deviceId: string,
  ) {}

  private aad(namespace: string, key: string): string {
    return `webhook-bot:${this.deviceId}:${namespace}:${key}`;
  }

  async get(namespace: StoreNamespace, key: string): Promise<Uint8Array | null> {
    const rows = (await this.dataSource.query(
      `SELECT value FROM webhook_bot_store WHERE device_id = $1 AND namespace = $2 AND key = $3`,
      [this.deviceId, namespace, key],
    )) as Array<{ value: Buffer }>;
    if (rows.length === 0) return null;
    return new Uint8Array(await this.box.open(rows[0]!.value, this.aad(namespace, key)));
  }

  async list(namespace: StoreNamespace): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT key FROM webhook_bot_store WHERE device_id = $1 AND namespace = $2`,
      [this.deviceId, namespace],
    )) as Array<{ key: string }>;
    return rows.map((r) => r.key);
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    if (batch.length === 0) return;
    const sealed = await Promise.all(
      batch.map(async (w) => ({
        ...w,
        sealed: w.value === null ? null : await this.box.seal(w.value, this.aad(w.namespace, w.key)),
      })),
    );
    await this.dataSource.transaction(async (manager) => {
      for (const w of sealed) {
        if (w.sealed === null) {
          await manager.query(`DELETE FROM webhook_bot_store WHERE device_id = $1 AND namespace = $2 AND key = $3`, [
            this.deviceId,
            w.namespace,
            w.key,
          ]);
        } else {
          await manager.query(
            `INSERT INTO webhook_bot_store (device_id, namespace, key, value) VALUES ($1, $2, $3, $4)
             ON CONFLICT (device_id, namespace, key) DO UPDATE SET value = EXCLUDED.value`,
            [this.deviceId, w.namespace, w.key, w.sealed],
          );
        }
      }
    });
  }
}

import { Injectable } from '@nestjs/common';
import type { OidcMatchBy } from '@miyu/protocol';
import { DataSource } from 'typeorm';

/** AAD of the sealed client secret: the box opens only as this record's. */
export const CLIENT_SECRET_AAD = 'oidc_settings:client_secret';

export interface OidcSettingsRow {
  enabled: boolean;
  issuer_url: string;
  client_id: string;
  /** Sealed (SecretBox, CLIENT_SECRET_AAD); null until one is set. */
  client_secret_box: Buffer | null;
  scopes: string[];
  match_by: OidcMatchBy;
  employee_no_claim: string;
  name_claim: string;
  jit_provisioning: boolean;
  button_label: string;
  password_sign_in_disabled: boolean;
  updated_at: Date;
}

export interface OidcLoginStateRow {
  browser_hash: Buffer;
  nonce: string;
  code_verifier: string;
  expires_at: Date;
}

/** oidc_settings (one row) and oidc_login_states (migration 1765420000000). */
@Injectable()
export class OidcRepository {
  constructor(private readonly dataSource: DataSource) {}

  async settings(): Promise<OidcSettingsRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT enabled, issuer_url, client_id, client_secret_box, scopes, match_by, employee_no_claim, name_claim,
              jit_provisioning, button_label, password_sign_in_disabled, updated_at
         FROM oidc_settings WHERE id = 1`,
    )) as OidcSettingsRow[];
    return rows[0] ?? null;
  }

  async saveSettings(row: Omit<OidcSettingsRow, 'updated_at'>, updatedBy: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO oidc_settings (id, enabled, issuer_url, client_id, client_secret_box, scopes, match_by,
                                  employee_no_claim, name_claim, jit_provisioning, button_label,
                                  password_sign_in_disabled, updated_at, updated_by)
       VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), $12)
       ON CONFLICT (id) DO UPDATE SET enabled = $1, issuer_url = $2, client_id = $3, client_secret_box = $4, scopes = $5,
         match_by = $6, employee_no_claim = $7, name_claim = $8, jit_provisioning = $9, button_label = $10,
         password_sign_in_disabled = $11, updated_at = now(), updated_by = $12`,
      [
        row.enabled,
        row.issuer_url,
        row.client_id,
        row.client_secret_box,
        row.scopes,
        row.match_by,
        row.employee_no_claim,
        row.name_claim,
        row.jit_provisioning,
        row.button_label,
        row.password_sign_in_disabled,
        updatedBy,
      ],
    );
  }

  async insertState(stateHash: Buffer, row: OidcLoginStateRow): Promise<void> {
    // Expired rows of abandoned sign-ins go on the way.
    await this.dataSource.query(`DELETE FROM oidc_login_states WHERE expires_at < now()`);
    await this.dataSource.query(
      `INSERT INTO oidc_login_states (state_hash, browser_hash, nonce, code_verifier, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [stateHash, row.browser_hash, row.nonce, row.code_verifier, row.expires_at],
    );
  }

  /** Deletes and returns a state: whoever calls first gets it, so a state (and its code) is redeemed once. */
  async consumeState(stateHash: Buffer): Promise<OidcLoginStateRow | null> {
    const [rows] = (await this.dataSource.query(
      `DELETE FROM oidc_login_states WHERE state_hash = $1
       RETURNING browser_hash, nonce, code_verifier, expires_at`,
      [stateHash],
    )) as [OidcLoginStateRow[], number];
    return rows[0] ?? null;
  }
}

/** People lookups by the claims a provider sends (users table, read only). */
@Injectable()
export class OidcPeopleRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Case-insensitive; two people with one address match nobody (the match would be a guess). */
  async idByEmail(email: string): Promise<string | null> {
    const rows = (await this.dataSource.query(`SELECT id FROM users WHERE lower(email) = $1 LIMIT 2`, [
      email.toLowerCase(),
    ])) as { id: string }[];
    return rows.length === 1 ? rows[0]!.id : null;
  }

  async idByEmployeeNo(employeeNo: string): Promise<string | null> {
    const rows = (await this.dataSource.query(`SELECT id FROM users WHERE employee_no = $1`, [employeeNo])) as {
      id: string;
    }[];
    return rows[0]?.id ?? null;
  }
}

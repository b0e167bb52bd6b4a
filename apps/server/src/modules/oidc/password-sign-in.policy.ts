import { Injectable } from '@nestjs/common';
import type { UserRole } from '@miyu/protocol';
import { DataSource } from 'typeorm';

/**
 * Whether a verified password may open a session. When an admin turns password sign-in off (with OIDC on), members
 * and auditors must use single sign-on; admins keep password sign-in (with their second factor) as the break-glass
 * way in when the identity provider is down or misconfigured.
 */
@Injectable()
export class PasswordSignInPolicy {
  constructor(private readonly dataSource: DataSource) {}

  async disabled(): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT password_sign_in_disabled AND enabled AS disabled FROM oidc_settings WHERE id = 1`,
    )) as { disabled: boolean }[];
    return rows[0]?.disabled ?? false;
  }

  async allows(role: UserRole): Promise<boolean> {
    return role === 'admin' || !(await this.disabled());
  }
}

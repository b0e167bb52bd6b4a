import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  LDAP_DEFAULT_ATTRIBUTES,
  LDAP_DEFAULT_USER_FILTER,
  type LdapAttributeMap,
  type LdapConfigDto,
  type LdapFlavour,
  type LdapSyncResult,
  type putLdapConfigRequestSchema,
} from '@miyu/protocol';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import { SecretBox } from '../../common/security/secret-box.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import type { Actor } from '../auth/auth.types.js';
import { requireAdmin } from '../auth/require-admin.js';
import { LdapError } from './ldap.errors.js';

/** AAD of the sealed bind password: the box opens only as this record's. */
const BIND_PASSWORD_AAD = 'ldap_config:bind_password';

/** The stored configuration, sealed password included: stays on the server. */
export interface LdapConfig {
  enabled: boolean;
  flavour: LdapFlavour;
  url: string;
  tlsVerify: boolean;
  bindDn: string;
  /** Sealed; opened by LdapConfigService.bindPassword only to bind. */
  bindPasswordBox: Buffer | null;
  baseDns: string[];
  userFilter: string;
  departmentSource: 'ou' | 'attribute' | 'none';
  ouFilter: string | null;
  attributes: LdapAttributeMap;
  intervalMinutes: number;
  updatedAt: Date;
  updatedBy: string | null;
  lastSyncAt: Date | null;
}

interface ConfigRow {
  enabled: boolean;
  flavour: LdapFlavour;
  url: string;
  tls_verify: boolean;
  bind_dn: string;
  bind_password_box: Buffer | null;
  base_dns: string[];
  user_filter: string;
  department_source: 'ou' | 'attribute' | 'none';
  ou_filter: string | null;
  attributes: LdapAttributeMap;
  interval_minutes: number;
  updated_at: Date;
  updated_by: string | null;
  last_sync_at: Date | null;
  last_sync_trigger: 'manual' | 'scheduled' | null;
  last_sync_ok: boolean | null;
  last_sync_counts: LdapSyncResult['counts'] | null;
  last_sync_error: string | null;
}

function toConfig(r: ConfigRow): LdapConfig {
  return {
    enabled: r.enabled,
    flavour: r.flavour,
    url: r.url,
    tlsVerify: r.tls_verify,
    bindDn: r.bind_dn,
    bindPasswordBox: r.bind_password_box,
    baseDns: r.base_dns,
    userFilter: r.user_filter,
    departmentSource: r.department_source,
    ouFilter: r.ou_filter,
    attributes: r.attributes,
    intervalMinutes: r.interval_minutes,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    lastSyncAt: r.last_sync_at,
  };
}

/**
 * The admin's LDAP configuration (one row). The bind password is stored sealed (SecretBox), opened only to bind, and
 * never returned or audited.
 */
@Injectable()
export class LdapConfigService {
  constructor(
    private readonly db: DataSource,
    private readonly events: EventEmitter2,
    private readonly box: SecretBox,
  ) {}

  private async row(): Promise<ConfigRow | null> {
    const rows = (await this.db.query(`SELECT * FROM ldap_config WHERE id = 1`)) as ConfigRow[];
    return rows[0] ?? null;
  }

  async load(): Promise<LdapConfig | null> {
    const r = await this.row();
    return r ? toConfig(r) : null;
  }

  async require(): Promise<LdapConfig> {
    const c = await this.load();
    if (!c) throw LdapError.notConfigured();
    return c;
  }

  /** The bind password in the clear, for binding only: never log, return or audit it. */
  async bindPassword(config: LdapConfig): Promise<string> {
    if (!config.bindPasswordBox) throw LdapError.passwordRequired();
    return (await this.box.open(config.bindPasswordBox, BIND_PASSWORD_AAD)).toString('utf8');
  }

  async get(actor: Actor): Promise<LdapConfigDto> {
    requireAdmin(actor);
    return this.toDto(await this.row());
  }

  async put(actor: Actor, req: z.output<typeof putLdapConfigRequestSchema>): Promise<LdapConfigDto> {
    requireAdmin(actor);
    const before = await this.row();
    const passwordBox =
      req.bindPassword !== undefined
        ? await this.box.seal(Buffer.from(req.bindPassword, 'utf8'), BIND_PASSWORD_AAD)
        : (before?.bind_password_box ?? null);
    if (!passwordBox) throw LdapError.passwordRequired();
    const attributes: LdapAttributeMap = { ...LDAP_DEFAULT_ATTRIBUTES[req.flavour], ...req.attributes };
    const userFilter = req.userFilter ?? LDAP_DEFAULT_USER_FILTER[req.flavour];
    await this.db.query(
      `INSERT INTO ldap_config (id, enabled, flavour, url, tls_verify, bind_dn, bind_password_box, base_dns,
                                user_filter, department_source, ou_filter, attributes, interval_minutes, updated_at,
                                updated_by)
       VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13)
       ON CONFLICT (id) DO UPDATE SET enabled = $1, flavour = $2, url = $3, tls_verify = $4, bind_dn = $5,
         bind_password_box = $6, base_dns = $7, user_filter = $8, department_source = $9, ou_filter = $10,
         attributes = $11, interval_minutes = $12, updated_at = now(), updated_by = $13`,
      [
        req.enabled,
        req.flavour,
        req.url,
        req.tlsVerify,
        req.bindDn,
        passwordBox,
        req.baseDns,
        userFilter,
        req.departmentSource,
        req.ouFilter,
        JSON.stringify(attributes),
        req.intervalMinutes,
        actor.userId,
      ],
    );
    const after = (await this.row())!;
    const record: AuditRecord = {
      action: 'ldap.config_updated',
      entity: { type: 'ldap_sync', id: null, name: after.url },
      context: {
        before: before ? redacted(before) : null,
        after: redacted(after),
        // Whether a password was sent: the stored one is not opened to compare.
        passwordChanged: req.bindPassword !== undefined,
      },
    };
    this.events.emit(AUDIT_EVENT, record);
    return this.toDto(after);
  }

  async recordSync(
    result: LdapSyncResult | null,
    trigger: 'manual' | 'scheduled',
    error: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE ldap_config SET last_sync_at = now(), last_sync_trigger = $1, last_sync_ok = $2, last_sync_counts = $3,
              last_sync_error = $4 WHERE id = 1`,
      [trigger, error === null, result ? JSON.stringify(result.counts) : null, error],
    );
  }

  private toDto(r: ConfigRow | null): LdapConfigDto {
    if (!r) {
      return {
        configured: false,
        enabled: false,
        flavour: 'openldap',
        url: '',
        tlsVerify: true,
        bindDn: '',
        passwordSet: false,
        baseDns: [],
        userFilter: LDAP_DEFAULT_USER_FILTER.openldap,
        departmentSource: 'ou',
        ouFilter: '(objectClass=organizationalUnit)',
        attributes: LDAP_DEFAULT_ATTRIBUTES.openldap,
        intervalMinutes: 0,
        updatedAt: null,
        lastSync: null,
      };
    }
    return {
      configured: true,
      enabled: r.enabled,
      flavour: r.flavour,
      url: r.url,
      tlsVerify: r.tls_verify,
      bindDn: r.bind_dn,
      passwordSet: r.bind_password_box !== null,
      baseDns: r.base_dns,
      userFilter: r.user_filter,
      departmentSource: r.department_source,
      ouFilter: r.ou_filter,
      attributes: r.attributes,
      intervalMinutes: r.interval_minutes,
      updatedAt: r.updated_at.toISOString(),
      lastSync: r.last_sync_at
        ? {
            at: r.last_sync_at.toISOString(),
            trigger: r.last_sync_trigger ?? 'manual',
            ok: r.last_sync_ok ?? false,
            counts: r.last_sync_counts,
            error: r.last_sync_error,
          }
        : null,
    };
  }
}

/** The audited view of a configuration: everything but the password. */
function redacted(r: ConfigRow): Record<string, unknown> {
  return {
    enabled: r.enabled,
    flavour: r.flavour,
    url: r.url,
    tlsVerify: r.tls_verify,
    bindDn: r.bind_dn,
    bindPassword: '<redacted>',
    baseDns: r.base_dns,
    userFilter: r.user_filter,
    departmentSource: r.department_source,
    ouFilter: r.ou_filter,
    attributes: r.attributes,
    intervalMinutes: r.interval_minutes,
  };
}

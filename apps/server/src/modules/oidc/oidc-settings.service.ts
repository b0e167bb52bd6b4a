import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { OidcConfig, oidcConfigUpdateSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { SecretBox } from '../../common/security/secret-box.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import type { Actor } from '../auth/auth.types.js';
import { isLoopbackHttp } from './oidc-client.js';
import { OidcError } from './oidc.errors.js';
import { CLIENT_SECRET_AAD, OidcRepository, type OidcSettingsRow } from './oidc.repository.js';
import { OIDC_CALLBACK_PATH } from './oidc-sign-in.service.js';

type Update = z.output<typeof oidcConfigUpdateSchema>;

const DEFAULTS: Omit<OidcConfig, 'redirectUri'> = {
  enabled: false,
  issuerUrl: '',
  clientId: '',
  clientSecretSet: false,
  scopes: ['openid', 'email', 'profile'],
  matchBy: 'email',
  employeeNoClaim: 'employee_number',
  nameClaim: 'name',
  jitProvisioning: false,
  buttonLabel: 'SSO',
  passwordSignInDisabled: false,
  updatedAt: null,
};

/**
 * Admin configuration of OIDC sign-in. The client secret is write-only and stored sealed (SecretBox): reads say
 * whether one is set.
 */
@Injectable()
export class OidcSettingsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: OidcRepository,
    private readonly events: EventEmitter2,
    private readonly box: SecretBox,
  ) {}

  async get(actor: Actor): Promise<OidcConfig> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    return this.toDto(await this.repo.settings());
  }

  async update(actor: Actor, update: Update): Promise<OidcConfig> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    const before = await this.repo.settings();
    const issuer = new URL(update.issuerUrl);
    if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer))
      throw OidcError.configInvalid('The issuer URL must use https (plain http only on the loopback interface).');
    const kept = before?.client_secret_box ?? null;
    if (update.enabled && update.clientSecret === undefined && !kept)
      throw OidcError.configInvalid('Set the client secret before turning sign-in on.');
    if (update.passwordSignInDisabled && !update.enabled)
      throw OidcError.configInvalid('Password sign-in can only be turned off while OIDC sign-in is on.');
    const secretBox =
      update.clientSecret === undefined
        ? kept
        : await this.box.seal(Buffer.from(update.clientSecret, 'utf8'), CLIENT_SECRET_AAD);
    const row: Omit<OidcSettingsRow, 'updated_at'> = {
      enabled: update.enabled,
      issuer_url: update.issuerUrl,
      client_id: update.clientId,
      client_secret_box: secretBox,
      scopes: [...new Set(update.scopes)],
      match_by: update.matchBy,
      employee_no_claim: update.employeeNoClaim,
      name_claim: update.nameClaim,
      jit_provisioning: update.jitProvisioning,
      button_label: update.buttonLabel,
      password_sign_in_disabled: update.passwordSignInDisabled,
    };
    await this.repo.saveSettings(row, actor.userId);
    const after = this.toDto(await this.repo.settings());
    this.audit({
      action: 'oidc.config_updated',
      entity: { type: 'oidc_config', id: null, name: after.issuerUrl },
      context: { changes: changes(this.toDto(before), after), secretChanged: update.clientSecret !== undefined },
    });
    return after;
  }

  private toDto(row: OidcSettingsRow | null): OidcConfig {
    const redirectUri = new URL(OIDC_CALLBACK_PATH, this.config.publicUrl).toString();
    if (!row) return { ...DEFAULTS, redirectUri };
    return {
      enabled: row.enabled,
      issuerUrl: row.issuer_url,
      clientId: row.client_id,
      clientSecretSet: row.client_secret_box !== null,
      scopes: row.scopes,
      matchBy: row.match_by,
      employeeNoClaim: row.employee_no_claim,
      nameClaim: row.name_claim,
      jitProvisioning: row.jit_provisioning,
      buttonLabel: row.button_label,
      passwordSignInDisabled: row.password_sign_in_disabled,
      redirectUri,
      updatedAt: row.updated_at.toISOString(),
    };
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}

/** Before/after of each changed field (the secret is not a field of the DTO, so it never lands in the log). */
function changes(before: OidcConfig, after: OidcConfig): Record<string, { before: unknown; after: unknown }> {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of Object.keys(after) as (keyof OidcConfig)[]) {
    if (key === 'updatedAt' || key === 'redirectUri') continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out[key] = { before: before[key], after: after[key] };
  }
  return out;
}

import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { logger } from '../../common/logging/json-logger.js';
import { SecretBox } from '../../common/security/secret-box.js';
import { OidcError } from './oidc.errors.js';
import { CLIENT_SECRET_AAD, type OidcSettingsRow } from './oidc.repository.js';

/** Discovery documents and keys are fetched once per configuration and kept this long. */
const DISCOVERY_TTL_MS = 10 * 60_000;
const HTTP_TIMEOUT_SECONDS = 10;

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Claims of a validated sign-in: the ID token's, completed from the userinfo endpoint when it has one. */
export type VerifiedClaims = Record<string, unknown> & { sub: string };

/** Plain http is accepted for an issuer on the loopback interface only (a provider on the same host, tests). */
export function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
}

/**
 * The relying party, on `openid-client`: discovery, the authorization URL (PKCE S256, state, nonce) and the code
 * exchange, which checks the ID token's signature, issuer, audience, expiry and nonce. The client secret is opened
 * from its box only to build the client's authentication, kept in memory with the cached configuration.
 */
@Injectable()
export class OidcClient {
  private cache: { key: string; config: oidc.Configuration; at: number } | null = null;

  constructor(private readonly box: SecretBox) {}

  async authorizationRequest(settings: OidcSettingsRow, redirectUri: string): Promise<AuthorizationRequest> {
    const config = await this.configuration(settings);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** `callbackUrl` is the redirect URI with the query the provider sent back. */
  async redeem(
    settings: OidcSettingsRow,
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<VerifiedClaims> {
    const config = await this.configuration(settings);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
    } catch (err) {
      throw mapGrantError(err);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw OidcError.tokenInvalid('no ID token');
    const claims: VerifiedClaims = { ...(idClaims as Record<string, unknown>), sub: idClaims.sub };
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      try {
        // The subject must be the ID token's: the library refuses a userinfo answer about someone else.
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        for (const [name, value] of Object.entries(info)) if (!(name in claims)) claims[name] = value;
      } catch (err) {
        throw mapGrantError(err);
      }
    }
    return claims;
  }

  private async configuration(settings: OidcSettingsRow): Promise<oidc.Configuration> {
    const sealed = settings.client_secret_box;
    if (!sealed) throw OidcError.notConfigured();
    const key = JSON.stringify([
      settings.issuer_url,
      settings.client_id,
      sealed.toString('base64'),
      settings.updated_at,
    ]);
    if (this.cache && this.cache.key === key && Date.now() - this.cache.at < DISCOVERY_TTL_MS) return this.cache.config;
    const issuer = new URL(settings.issuer_url);
    if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer)) throw OidcError.providerUnavailable();
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(issuer, settings.client_id, undefined, undefined, {
        execute: isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : [],
        timeout: HTTP_TIMEOUT_SECONDS,
      });
    } catch (err) {
      logger.event('warn', 'oidc', 'discovery failed', { issuer: issuer.origin, error: describe(err) });
      throw OidcError.providerUnavailable();
    }
    const methods = config.serverMetadata().token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    const secret = (await this.box.open(sealed, CLIENT_SECRET_AAD)).toString('utf8');
    const auth = methods.includes('client_secret_basic')
      ? oidc.ClientSecretBasic(secret)
      : oidc.ClientSecretPost(secret);
    config = new oidc.Configuration(config.serverMetadata(), settings.client_id, undefined, auth);
    config.timeout = HTTP_TIMEOUT_SECONDS;
    if (isLoopbackHttp(issuer)) oidc.allowInsecureRequests(config);
    this.cache = { key, config, at: Date.now() };
    return config;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}${'code' in err ? ` ${String(err.code)}` : ''}: ${err.message}`;
  return String(err);
}

/** Library failures as our codes: what the provider or its token said is OIDC_TOKEN_INVALID, the rest unreachable. */
function mapGrantError(err: unknown): OidcError {
  if (err instanceof oidc.ResponseBodyError) {
    logger.event('warn', 'oidc', 'provider refused', { error: err.error });
    return OidcError.tokenInvalid(`the provider answered ${err.error}`);
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    logger.event('warn', 'oidc', 'authorization refused', { error: err.error });
    return OidcError.tokenInvalid(`the provider answered ${err.error}`);
  }
  if (err instanceof oidc.ClientError) {
    logger.event('warn', 'oidc', 'response rejected', { error: describe(err) });
    return OidcError.tokenInvalid(err.message.replace(/\.$/, ''));
  }
  logger.event('warn', 'oidc', 'provider unreachable', { error: describe(err) });
  return OidcError.providerUnavailable();
}

import { z } from 'zod';

/**
 * OpenID Connect sign-in (issue 11, docs/integrations.md "OpenID Connect sign-in"): authorization code flow with PKCE
 * against the organisation's identity provider. People are matched by a claim (email or an employee-number claim);
 * unknown people are refused unless just-in-time provisioning is on. The client secret is write-only.
 */

/** How an ID token's claims find a person: by `email`, or by the claim named in `employeeNoClaim`. */
export const OIDC_MATCH_BY = ['email', 'employeeNo'] as const;
export const oidcMatchBySchema = z.enum(OIDC_MATCH_BY);
export type OidcMatchBy = z.infer<typeof oidcMatchBySchema>;

/** A claim name as providers spell them (`email`, `employee_number`, `urn:…:employeeid`). */
const claimName = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:/-]+$/, 'letters, digits and _ . : / - only');

const scope = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope token has no spaces or quotes');

/** What an admin reads: the secret itself never leaves the server, only whether one is set. */
export const oidcConfigSchema = z.object({
  enabled: z.boolean(),
  issuerUrl: z.string(),
  clientId: z.string(),
  clientSecretSet: z.boolean(),
  scopes: z.array(z.string()),
  matchBy: oidcMatchBySchema,
  employeeNoClaim: z.string(),
  nameClaim: z.string(),
  jitProvisioning: z.boolean(),
  buttonLabel: z.string(),
  /** Members may not sign in with a password; admins still can (break-glass, see the docs). */
  passwordSignInDisabled: z.boolean(),
  /** The redirect URI to register at the identity provider (read-only: PUBLIC_URL + /api/auth/oidc/callback). */
  redirectUri: z.string(),
  updatedAt: z.string().nullable(),
});
export type OidcConfig = z.infer<typeof oidcConfigSchema>;

/** PUT /api/admin/oidc. `clientSecret` omitted keeps the stored one; an empty string is refused. */
export const oidcConfigUpdateSchema = z
  .object({
    enabled: z.boolean(),
    issuerUrl: z
      .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
      .max(512)
      .refine((u) => !/[?#]/.test(u), 'no query or fragment'),
    clientId: z.string().trim().min(1).max(256),
    clientSecret: z.string().min(1).max(512).optional(),
    scopes: z
      .array(scope)
      .min(1)
      .max(20)
      .refine((s) => s.includes('openid'), 'must include openid'),
    matchBy: oidcMatchBySchema,
    employeeNoClaim: claimName.default('employee_number'),
    nameClaim: claimName.default('name'),
    jitProvisioning: z.boolean(),
    buttonLabel: z.string().trim().min(1).max(64),
    passwordSignInDisabled: z.boolean(),
  })
  .strict();
export type OidcConfigUpdate = z.input<typeof oidcConfigUpdateSchema>;

/** GET /api/auth/methods (public): what the login screen offers. */
export const authMethodsSchema = z.object({
  password: z.boolean(),
  oidc: z.object({ label: z.string(), startUrl: z.string() }).nullable(),
});
export type AuthMethods = z.infer<typeof authMethodsSchema>;

/** Query parameter the callback puts on /login when OIDC sign-in failed (value: an ErrorCode). */
export const OIDC_ERROR_PARAM = 'oidcError';

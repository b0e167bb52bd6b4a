import { z } from 'zod';
import { localeSchema, singleLine } from './common.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** Login names are case-insensitive; we store them lower-cased. */
export const loginNameSchema = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'letters, digits, dot, underscore and dash only' })
  .transform((s) => s.toLowerCase());

export const passwordSchema = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);

export const totpCodeSchema = z.string().regex(/^\d{6}$/, { message: 'six digits' });
export const recoveryCodeSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9]{5}-?[a-z0-9]{5}$/i, { message: 'a recovery code looks like abcde-12345' });

export const userRoleSchema = z.enum(['member', 'admin', 'auditor']);
export type UserRole = z.infer<typeof userRoleSchema>;
export const userStatusSchema = z.enum(['active', 'disabled']);
export type UserStatus = z.infer<typeof userStatusSchema>;

export const displayNameSchema = singleLine(1, 100);
export const employeeNoSchema = singleLine(1, 64);
export const emailSchema = z.email().max(254);
export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 -]{4,31}$/, { message: 'digits, spaces and dashes, optionally starting with +' });

export const loginRequestSchema = z.strictObject({
  // Not the login-name schema: a malformed name must get the same answer as an unknown one.
  login: z.string().trim().min(1).max(128),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  totpCode: totpCodeSchema.optional(),
  recoveryCode: recoveryCodeSchema.optional(),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const userSchema = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  employeeNo: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: localeSchema,
  status: userStatusSchema,
  role: userRoleSchema,
  totpEnabled: z.boolean(),
  createdAt: z.string(),
});
export type UserDto = z.infer<typeof userSchema>;

export const sessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type SessionDto = z.infer<typeof sessionSchema>;

/** What a signed-in client learns about itself; `csrfToken` goes into the X-CSRF-Token header. */
export const authStateSchema = z.object({
  user: userSchema,
  sessionId: z.uuid(),
  csrfToken: z.string(),
});
export type AuthState = z.infer<typeof authStateSchema>;

export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'miyu_session';

export const changePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: passwordSchema,
});

export const totpEnrollResponseSchema = z.object({ secret: z.string(), otpauthUrl: z.string() });
export type TotpEnrollResponse = z.infer<typeof totpEnrollResponseSchema>;
export const totpConfirmRequestSchema = z.strictObject({ code: totpCodeSchema });
export const totpConfirmResponseSchema = z.object({ recoveryCodes: z.array(z.string()) });
export type TotpConfirmResponse = z.infer<typeof totpConfirmResponseSchema>;
export const totpDisableRequestSchema = z.strictObject({
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

export const profileUpdateSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  locale: localeSchema.optional(),
});

export const setupStatusSchema = z.object({ needsSetup: z.boolean() });
export type SetupStatus = z.infer<typeof setupStatusSchema>;

export const setupAdminRequestSchema = z.strictObject({
  token: z.string().min(1).max(200),
  login: loginNameSchema,
  displayName: displayNameSchema,
  password: passwordSchema,
  employeeNo: employeeNoSchema.optional(),
  email: emailSchema.optional(),
});
export type SetupAdminRequest = z.input<typeof setupAdminRequestSchema>;

export const createUserRequestSchema = z.strictObject({
  login: loginNameSchema,
  displayName: displayNameSchema,
  password: passwordSchema,
  employeeNo: employeeNoSchema.optional(),
  email: emailSchema.optional(),
  phone: phoneSchema.optional(),
  locale: localeSchema.optional(),
  role: userRoleSchema.optional(),
});
export type CreateUserRequest = z.input<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  employeeNo: employeeNoSchema.nullable().optional(),
  email: emailSchema.nullable().optional(),
  phone: phoneSchema.nullable().optional(),
  role: userRoleSchema.optional(),
  status: userStatusSchema.optional(),
});
export type UpdateUserRequest = z.input<typeof updateUserRequestSchema>;

/** An admin sets a (new) password for an account, e.g. for people created by a directory import. */
export const setPasswordRequestSchema = z.strictObject({ password: passwordSchema });

export const listUsersQuerySchema = z.strictObject({
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const userPageSchema = z.object({ items: z.array(userSchema), total: z.number().int() });
export type UserPage = z.infer<typeof userPageSchema>;

import { z } from 'zod';

/**
 * The organisation's sensitive-word policy (issue 8, ARCHITECTURE §6). Admins edit rules; every save publishes a
 * new version whose document the server signs with its policy key (Ed25519). Clients verify the signature, match
 * before encrypting, and stamp the version into each envelope; sends made under an older version are refused.
 */
export const filterActionSchema = z.enum(['block', 'warn', 'mask', 'flag']);
export type FilterActionName = z.infer<typeof filterActionSchema>;

export const filterRuleTypeSchema = z.enum(['word', 'pattern']);
export const patternValidatorSchema = z.enum(['none', 'luhn', 'cn-id-card']);

export const MAX_FILTER_WORD_LENGTH = 64;
export const MAX_FILTER_CATEGORY_LENGTH = 40;
export const MAX_FILTER_RULES = 50_000;
export const MAX_FILTER_WHITELIST = 10_000;

const category = z.string().trim().min(1).max(MAX_FILTER_CATEGORY_LENGTH);

/** A rule as an admin writes it. Words are matched after normalisation; patterns in Miyu's linear-time subset. */
export const filterRuleInputSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('word'),
    pattern: z.string().trim().min(1).max(MAX_FILTER_WORD_LENGTH),
    category,
    action: filterActionSchema,
  }),
  z.strictObject({
    type: z.literal('pattern'),
    pattern: z.string().min(1).max(500),
    validator: patternValidatorSchema.default('none'),
    category,
    action: filterActionSchema,
  }),
]);
export type FilterRuleInput = z.input<typeof filterRuleInputSchema>;

export interface FilterRuleDto {
  id: string;
  type: 'word' | 'pattern';
  pattern: string;
  validator: 'none' | 'luhn' | 'cn-id-card';
  category: string;
  action: FilterActionName;
  updatedAt: string;
}

export const filterRuleListQuerySchema = z.strictObject({
  q: z.string().trim().max(MAX_FILTER_WORD_LENGTH).optional(),
  category: category.optional(),
  action: filterActionSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type FilterRuleListQuery = z.infer<typeof filterRuleListQuerySchema>;

export interface FilterRulePage {
  items: FilterRuleDto[];
  total: number;
  categories: Array<{ category: string; count: number }>;
}

export const whitelistInputSchema = z.strictObject({
  phrase: z.string().trim().min(1).max(MAX_FILTER_WORD_LENGTH),
});

export const filterOptionsSchema = z.strictObject({
  foldTraditional: z.boolean(),
  skipSeparators: z.boolean(),
});
export type FilterOptionsDto = z.infer<typeof filterOptionsSchema>;
export const filterOptionsPatchSchema = filterOptionsSchema.partial();

/** Rows of a bulk import the admin confirmed after the preview. */
export const filterImportSchema = z.strictObject({
  rows: z
    .array(
      z.strictObject({
        word: z.string().trim().min(1).max(MAX_FILTER_WORD_LENGTH),
        category: category.nullable(),
        action: filterActionSchema.nullable(),
      }),
    )
    .min(1)
    .max(MAX_FILTER_RULES),
  /** For rows without a category or action. */
  defaultCategory: category,
  defaultAction: filterActionSchema,
});
export type FilterImport = z.infer<typeof filterImportSchema>;

export interface FilterImportPreview {
  format: 'txt' | 'csv' | 'xlsx';
  totalLines: number;
  rows: Array<{
    line: number;
    word: string;
    category: string | null;
    action: FilterActionName | null;
    exists: boolean;
  }>;
  errors: Array<{ line: number; code: string; message: string; raw: string }>;
}

export interface FilterImportResult {
  added: number;
  updated: number;
  version: number;
}

/** "What would happen to this text" in the admin console. */
export const filterTestSchema = z.strictObject({ text: z.string().min(1).max(10_000) });
export interface FilterTestResult {
  action: FilterActionName | null;
  /** `pattern` is the rule's own word or pattern; `text` what it matched (offsets are UTF-16, end exclusive). */
  hits: Array<{
    ruleId: string;
    pattern: string;
    category: string;
    action: FilterActionName;
    start: number;
    end: number;
    text: string;
  }>;
  masked: string;
}

/** The signed document clients verify; `payload` is the exact JSON text that was signed. */
export interface SignedWordPolicy {
  version: number;
  payload: string;
  /** Ed25519 over `WORD_POLICY_SIGNING_CONTEXT + payload`, base64url. */
  signature: string;
  /** The server's policy public key, base64url (clients pin it on first use). */
  publicKey: string;
}
export const WORD_POLICY_SIGNING_CONTEXT = 'miyu-word-policy-v1\n';

/** What the signed payload holds. */
export const wordPolicyDocumentSchema = z.strictObject({
  v: z.literal(1),
  version: z.number().int().min(1),
  issuedAt: z.string(),
  options: filterOptionsSchema,
  rules: z.array(
    z.strictObject({
      id: z.string(),
      type: filterRuleTypeSchema,
      pattern: z.string(),
      validator: patternValidatorSchema,
      category: z.string(),
      action: filterActionSchema,
    }),
  ),
  whitelist: z.array(z.string()),
});
export type WordPolicyDocument = z.infer<typeof wordPolicyDocumentSchema>;

export interface WordPolicyStatus {
  /** 0 while no policy was ever published. */
  version: number;
  publishedAt: string | null;
  ruleCount: number;
  whitelistCount: number;
  options: FilterOptionsDto;
  /** Hex SHA-256 fingerprint of the policy public key, for admins to compare with what clients pinned. */
  keyFingerprint: string;
}

/** A content-free record a client files when a `flag` (or `block`) rule matched what its user wrote. */
export const filterHitReportSchema = z.strictObject({
  policyVersion: z.number().int().min(1),
  hits: z
    .array(
      z.strictObject({
        ruleId: z.uuid(),
        action: z.enum(['flag', 'block']),
        conversationId: z.uuid(),
        clientMsgId: z.uuid(),
      }),
    )
    .min(1)
    .max(20),
});
export type FilterHitReport = z.infer<typeof filterHitReportSchema>;

export const filterHitSourceSchema = z.enum([
  'message',
  'display_name',
  'group_name',
  'group_topic',
  'department_name',
]);
export type FilterHitSource = z.infer<typeof filterHitSourceSchema>;

export const filterHitQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ruleId: z.uuid().optional(),
  category: category.optional(),
  action: filterActionSchema.optional(),
  departmentId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type FilterHitQuery = z.infer<typeof filterHitQuerySchema>;

export interface FilterHitDto {
  id: string;
  occurredAt: string;
  userId: string | null;
  userName: string | null;
  departments: string[];
  ruleId: string | null;
  rulePattern: string;
  category: string;
  action: FilterActionName;
  source: FilterHitSource;
  conversationId: string | null;
  policyVersion: number;
}

export const filterHitStatsQuerySchema = filterHitQuerySchema
  .omit({ limit: true, offset: true })
  .extend({ by: z.enum(['rule', 'category', 'department', 'day']) });
export type FilterHitStatsQuery = z.infer<typeof filterHitStatsQuerySchema>;

export interface FilterHitStats {
  by: FilterHitStatsQuery['by'];
  rows: Array<{ key: string; label: string; block: number; warn: number; mask: number; flag: number; total: number }>;
}

export const signedWordPolicySchema = z.object({
  version: z.number().int().min(1),
  payload: z.string(),
  signature: z.string(),
  publicKey: z.string(),
});

/** `GET /api/word-policy`: the current signed policy, or null before the first publication. */
export const wordPolicyResponseSchema = z.object({ policy: signedWordPolicySchema.nullable() });
export type WordPolicyResponse = z.infer<typeof wordPolicyResponseSchema>;

export const filterImportPreviewQuerySchema = z.strictObject({
  fileName: z.string().trim().min(1).max(255),
});
export const filterExportQuerySchema = z.strictObject({ format: z.enum(['csv', 'xlsx']).default('csv') });
export const filterHitExportQuerySchema = filterHitQuerySchema.omit({ limit: true, offset: true });
export const WORD_LIST_MAX_BYTES = 5 * 1024 * 1024;

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
export const MAX_FILTER_PATTERN_LENGTH = 500;

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
    pattern: z.string().min(1).max(MAX_FILTER_PATTERN_LENGTH),
    validator: patternValidatorSchema.default('none'),
    category,
    action: filterActionSchema,
  }),
]);
export type FilterRuleInput = z.input<typeof filterRuleInputSchema>;

export const filterRuleSchema = z.object({
  id: z.string(),
  type: filterRuleTypeSchema,
  pattern: z.string(),
  validator: patternValidatorSchema,
  category: z.string(),
  action: filterActionSchema,
  updatedAt: z.string(),
});
export type FilterRuleDto = z.infer<typeof filterRuleSchema>;

export const filterRuleListQuerySchema = z.strictObject({
  q: z.string().trim().max(MAX_FILTER_WORD_LENGTH).optional(),
  category: category.optional(),
  action: filterActionSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type FilterRuleListQuery = z.infer<typeof filterRuleListQuerySchema>;

export const filterRulePageSchema = z.object({
  items: z.array(filterRuleSchema),
  total: z.number().int(),
  categories: z.array(z.object({ category: z.string(), count: z.number().int() })),
});
export type FilterRulePage = z.infer<typeof filterRulePageSchema>;

/** Every change answers with the version it published (and the id of what it created). */
export const filterPublishedSchema = z.object({ version: z.number().int(), id: z.string().optional() });
export const allowedPhraseSchema = z.object({ id: z.string(), phrase: z.string() });
export type AllowedPhrase = z.infer<typeof allowedPhraseSchema>;

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

export const filterImportPreviewSchema = z.object({
  format: z.enum(['txt', 'csv', 'xlsx']),
  totalLines: z.number().int(),
  rows: z.array(
    z.object({
      line: z.number().int(),
      word: z.string(),
      category: z.string().nullable(),
      action: filterActionSchema.nullable(),
      exists: z.boolean(),
    }),
  ),
  errors: z.array(z.object({ line: z.number().int(), code: z.string(), message: z.string(), raw: z.string() })),
});
export type FilterImportPreview = z.infer<typeof filterImportPreviewSchema>;

export const filterImportResultSchema = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  version: z.number().int(),
});
export type FilterImportResult = z.infer<typeof filterImportResultSchema>;

/** "What would happen to this text" in the admin console. */
export const filterTestSchema = z.strictObject({ text: z.string().min(1).max(10_000) });
export const filterTestResultSchema = z.object({
  action: filterActionSchema.nullable(),
  /** `pattern` is the rule's own word or pattern; `text` what it matched (offsets are UTF-16, end exclusive). */
  hits: z.array(
    z.object({
      ruleId: z.string(),
      pattern: z.string(),
      category: z.string(),
      action: filterActionSchema,
      start: z.number().int(),
      end: z.number().int(),
      text: z.string(),
    }),
  ),
  masked: z.string(),
});
export type FilterTestResult = z.infer<typeof filterTestResultSchema>;

/** The signed document clients verify; `payload` is the exact JSON text that was signed. */
export const signedWordPolicySchema = z.object({
  version: z.number().int().min(1),
  /** The exact JSON text that was signed. */
  payload: z.string(),
  /** Ed25519 over `WORD_POLICY_SIGNING_CONTEXT + payload`, base64url. */
  signature: z.string(),
  /** The server's policy public key, base64url (clients pin it on first use). */
  publicKey: z.string(),
});
export type SignedWordPolicy = z.infer<typeof signedWordPolicySchema>;
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

export const wordPolicyStatusSchema = z.object({
  /** 0 while no policy was ever published. */
  version: z.number().int(),
  publishedAt: z.string().nullable(),
  ruleCount: z.number().int(),
  whitelistCount: z.number().int(),
  options: filterOptionsSchema,
  /** Hex SHA-256 fingerprint of the policy public key, for admins to compare with what clients pinned. */
  keyFingerprint: z.string(),
});
export type WordPolicyStatus = z.infer<typeof wordPolicyStatusSchema>;

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

export const filterHitSchema = z.object({
  id: z.string(),
  occurredAt: z.string(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  departments: z.array(z.string()),
  ruleId: z.string().nullable(),
  rulePattern: z.string(),
  category: z.string(),
  action: filterActionSchema,
  source: filterHitSourceSchema,
  conversationId: z.string().nullable(),
  policyVersion: z.number().int(),
});
export type FilterHitDto = z.infer<typeof filterHitSchema>;
export const filterHitPageSchema = z.object({ items: z.array(filterHitSchema), total: z.number().int() });
export type FilterHitPage = z.infer<typeof filterHitPageSchema>;

export const filterHitStatsQuerySchema = filterHitQuerySchema
  .omit({ limit: true, offset: true })
  .extend({ by: z.enum(['rule', 'category', 'department', 'day']) });
export type FilterHitStatsQuery = z.infer<typeof filterHitStatsQuerySchema>;

export const filterHitStatsSchema = z.object({
  by: z.enum(['rule', 'category', 'department', 'day']),
  rows: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      block: z.number().int(),
      warn: z.number().int(),
      mask: z.number().int(),
      flag: z.number().int(),
      total: z.number().int(),
    }),
  ),
});
export type FilterHitStats = z.infer<typeof filterHitStatsSchema>;

/** `GET /api/word-policy`: the current signed policy, or null before the first publication. */
export const wordPolicyResponseSchema = z.object({ policy: signedWordPolicySchema.nullable() });
export type WordPolicyResponse = z.infer<typeof wordPolicyResponseSchema>;

export const filterImportPreviewQuerySchema = z.strictObject({
  fileName: z.string().trim().min(1).max(255),
});
export const filterExportQuerySchema = z.strictObject({ format: z.enum(['csv', 'xlsx']).default('csv') });
export const filterHitExportQuerySchema = filterHitQuerySchema.omit({ limit: true, offset: true });
export const WORD_LIST_MAX_BYTES = 5 * 1024 * 1024;

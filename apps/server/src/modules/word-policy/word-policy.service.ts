import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  ErrorCode,
  type FilterImport,
  type FilterImportPreview,
  type FilterImportResult,
  type FilterOptionsDto,
  type FilterRuleInput,
  filterRuleInputSchema,
  type FilterRuleListQuery,
  type FilterRulePage,
  type FilterTestResult,
  MAX_FILTER_RULES,
  MAX_FILTER_WHITELIST,
  type SignedWordPolicy,
  WORD_POLICY_SIGNING_CONTEXT,
  type WordPolicyDocument,
  type WordPolicyStatus,
} from '@miyu/protocol';
import { checkPattern, compileFilter, FilterRuleError, normalizeForMatching } from '@miyu/word-filter';
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { changedFields } from '../../common/audit/changed-fields.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { SigningKeys } from '../../common/security/signing-keys.js';
import type { Actor } from '../auth/auth.types.js';
import { requireAdmin } from '../auth/require-admin.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { CurrentWordPolicy } from './current-policy.js';
import {
  detectWordListFormat,
  exportWordListCsv,
  exportWordListXlsx,
  parseWordList,
  WordListFileError,
  type WordListFormat,
} from './import/index.js';
import { WordPolicyError } from './word-policy.errors.js';
import { type NewRule, WordPolicyRepository } from './word-policy.repository.js';

type Admin = Pick<Actor, 'userId' | 'role'>;
/** What a change did, for its `word_policy.published` audit record (rules are policy, not anyone's messages). */
type Changed = { changed: Record<string, unknown> };

/**
 * The organisation's sensitive-word policy, as admins edit it. Every change publishes a new version in the same
 * transaction: the whole document (rules, whitelist, options), compiled once to prove it is valid, then signed
 * with the server's policy key. Clients fetch the signed document; sends checked under an older one are refused.
 */
@Injectable()
export class WordPolicyService {
  constructor(
    private readonly repo: WordPolicyRepository,
    private readonly keys: SigningKeys,
    private readonly current: CurrentWordPolicy,
    private readonly events: EventEmitter2,
  ) {}

  /** The signed current policy, for every signed-in client (null before the first publication). */
  async signed(): Promise<SignedWordPolicy | null> {
    const latest = await this.repo.latest();
    if (!latest) return null;
    return {
      version: latest.version,
      payload: latest.payload,
      signature: latest.signature.toString('base64url'),
      publicKey: (await this.keys.publicKey('word-policy')).toString('base64url'),
    };
  }

  async status(actor: Admin): Promise<WordPolicyStatus> {
    requireAdmin(actor);
    const [latest, options, fingerprint] = await Promise.all([
      this.repo.latest(),
      this.repo.options(),
      this.keys.fingerprint('word-policy'),
    ]);
    return {
      version: latest?.version ?? 0,
      publishedAt: latest?.publishedAt.toISOString() ?? null,
      ruleCount: latest?.ruleCount ?? 0,
      whitelistCount: latest?.whitelistCount ?? 0,
      options,
      keyFingerprint: fingerprint,
    };
  }

  listRules(actor: Admin, query: FilterRuleListQuery): Promise<FilterRulePage> {
    requireAdmin(actor);
    return this.repo.listRules(query);
  }

  async addRule(actor: Admin, input: FilterRuleInput): Promise<{ id: string; version: number }> {
    requireAdmin(actor);
    const rule = toRule(randomUUID(), input);
    return this.change(actor, async (db) => {
      if (await this.repo.ruleIdByKey(db, rule.type, rule.matchKey)) throw WordPolicyError.ruleExists();
      await this.repo.insertRule(db, rule, actor.userId);
      return { id: rule.id, changed: { change: 'rule_added', ruleId: rule.id, rule: ruleFields(rule) } };
    });
  }

  async updateRule(actor: Admin, id: string, input: FilterRuleInput): Promise<{ id: string; version: number }> {
    requireAdmin(actor);
    const rule = toRule(id, input);
    return this.change(actor, async (db) => {
      const before = await this.repo.findRule(db, id);
      if (!before) throw WordPolicyError.ruleNotFound();
      const holder = await this.repo.ruleIdByKey(db, rule.type, rule.matchKey);
      if (holder && holder !== id) throw WordPolicyError.ruleExists();
      await this.repo.updateRule(db, rule);
      return {
        id,
        changed: { change: 'rule_updated', ruleId: id, before: ruleFields(before), after: ruleFields(rule) },
      };
    });
  }

  async deleteRule(actor: Admin, id: string): Promise<{ version: number }> {
    requireAdmin(actor);
    return this.change(actor, async (db) => {
      const before = await this.repo.findRule(db, id);
      if (!before || !(await this.repo.deleteRule(db, id))) throw WordPolicyError.ruleNotFound();
      return { changed: { change: 'rule_deleted', ruleId: id, before: ruleFields(before) } };
    });
  }

  async whitelist(actor: Admin): Promise<Array<{ id: string; phrase: string }>> {
    requireAdmin(actor);
    return this.repo.whitelist();
  }

  async addWhitelist(actor: Admin, phrase: string): Promise<{ id: string; version: number }> {
    requireAdmin(actor);
    const matchKey = normalizeForMatching(phrase);
    if (!matchKey) throw WordPolicyError.ruleInvalid('the phrase is empty once invisible characters are removed');
    const id = randomUUID();
    return this.change(actor, async (db) => {
      if ((await this.repo.whitelist(db)).length >= MAX_FILTER_WHITELIST)
        throw WordPolicyError.ruleInvalid(`at most ${MAX_FILTER_WHITELIST} allowed phrases`);
      if (!(await this.repo.addWhitelist(db, id, phrase, matchKey))) throw WordPolicyError.ruleExists();
      return { id, changed: { change: 'whitelist_added', whitelistId: id, phrase } };
    });
  }

  async deleteWhitelist(actor: Admin, id: string): Promise<{ version: number }> {
    requireAdmin(actor);
    return this.change(actor, async (db) => {
      const before = (await this.repo.whitelist(db)).find((w) => w.id === id);
      if (!before || !(await this.repo.deleteWhitelist(db, id))) throw WordPolicyError.ruleNotFound();
      return { changed: { change: 'whitelist_deleted', whitelistId: id, phrase: before.phrase } };
    });
  }

  async setOptions(actor: Admin, patch: Partial<FilterOptionsDto>): Promise<{ version: number }> {
    requireAdmin(actor);
    return this.change(actor, async (db) => {
      const before = await this.repo.options(db);
      await this.repo.setOptions(db, { ...before, ...patch });
      const changes = changedFields(before, patch, ['foldTraditional', 'skipSeparators']) ?? {};
      return { changed: { change: 'options', changes } };
    });
  }

  /** Reads an uploaded TXT/CSV/XLSX word list; nothing is saved until the admin confirms the rows. */
  async previewImport(actor: Admin, fileName: string, bytes: Uint8Array): Promise<FilterImportPreview> {
    requireAdmin(actor);
    const parsed = await readWordList(fileName, bytes);
    const existing = await this.repo.existingWordKeys(parsed.rows.map((r) => normalizeForMatching(r.word)));
    return {
      format: parsed.format,
      totalLines: parsed.totalLines,
      rows: parsed.rows.map((r) => ({ ...r, exists: existing.has(normalizeForMatching(r.word)) })),
      errors: parsed.errors,
    };
  }

  async commitImport(actor: Admin, body: FilterImport): Promise<FilterImportResult> {
    requireAdmin(actor);
    const byKey = new Map<string, NewRule>();
    for (const row of body.rows) {
      const rule = toRule(randomUUID(), {
        type: 'word',
        pattern: row.word,
        category: row.category ?? body.defaultCategory,
        action: row.action ?? body.defaultAction,
      });
      byKey.set(rule.matchKey, rule); // a later row for the same word wins, as in the file
    }
    return this.change(actor, async (db) => {
      const counts = await this.repo.upsertWords(db, [...byKey.values()], actor.userId);
      if ((await this.repo.allRules(db)).length > MAX_FILTER_RULES)
        throw WordPolicyError.ruleInvalid(`at most ${MAX_FILTER_RULES} rules`);
      return { ...counts, changed: { change: 'import', rows: body.rows.length, ...counts } };
    });
  }

  async exportRules(actor: Admin, format: Exclude<WordListFormat, 'txt'>): Promise<Uint8Array | string> {
    requireAdmin(actor);
    const rows = (await this.repo.allRules())
      .filter((r) => r.type === 'word')
      .map((r) => ({ word: r.pattern, category: r.category, action: r.action }));
    return format === 'csv' ? exportWordListCsv(rows) : await exportWordListXlsx(rows);
  }

  /** What the published policy would do to a text (the console's test box). */
  async test(actor: Admin, text: string): Promise<FilterTestResult> {
    requireAdmin(actor);
    const { filter, patterns } = await this.current.load();
    if (!filter) return { action: null, hits: [], masked: text };
    const result = filter.scan(text);
    return {
      action: result.action,
      hits: result.hits.map((h) => ({ ...h, pattern: patterns.get(h.ruleId) ?? '' })),
      masked: filter.mask(text, result.hits),
    };
  }

  /** Applies `mutate` and publishes the resulting policy as the next version, atomically; audits what changed. */
  private async change<T extends object>(
    actor: Admin,
    mutate: (db: EntityManager) => Promise<T & Changed>,
  ): Promise<Omit<T, 'changed'> & { version: number }> {
    const { changed, ...result } = await this.repo.transaction(async (db) => {
      const out = await mutate(db);
      return { ...out, version: await this.publish(db, actor.userId) };
    });
    this.current.published(result.version);
    this.events.emit(AUDIT_EVENT, {
      action: 'word_policy.published',
      actor: { userId: actor.userId },
      entity: { type: 'word_policy', id: String(result.version), name: `v${result.version}` },
      context: { version: result.version, ...changed },
    } satisfies AuditRecord);
    return result;
  }

  private async publish(db: EntityManager, by: string): Promise<number> {
    // One connection (the transaction's): one query at a time.
    const rules = await this.repo.allRules(db);
    const whitelist = await this.repo.whitelist(db);
    const options = await this.repo.options(db);
    const latest = await this.repo.latestVersionNumber(db);
    const version = latest + 1;
    const document: WordPolicyDocument = {
      v: 1,
      version,
      issuedAt: new Date().toISOString(),
      options,
      rules,
      whitelist: whitelist.map((w) => w.phrase),
    };
    try {
      compileFilter({ rules, whitelist: document.whitelist, options });
    } catch (error) {
      if (error instanceof FilterRuleError) throw WordPolicyError.ruleInvalid(error.reason);
      throw error;
    }
    const payload = JSON.stringify(document);
    const signature = await this.keys.sign('word-policy', Buffer.from(WORD_POLICY_SIGNING_CONTEXT + payload, 'utf8'));
    await this.repo.insertVersion(db, {
      version,
      payload,
      sha256: createHash('sha256').update(payload, 'utf8').digest(),
      signature,
      ruleCount: rules.length,
      whitelistCount: whitelist.length,
      by,
    });
    return version;
  }
}

/** The file as rows and error rows; a file refused as a whole is IMPORT_TOO_LARGE or IMPORT_UNREADABLE. */
async function readWordList(fileName: string, bytes: Uint8Array) {
  try {
    return await parseWordList(bytes, detectWordListFormat(fileName, bytes), normalizeForMatching);
  } catch (error) {
    if (!(error instanceof WordListFileError)) throw error;
    const code = error.code === 'WORD_LIST_TOO_LARGE' ? ErrorCode.IMPORT_TOO_LARGE : ErrorCode.IMPORT_UNREADABLE;
    // The specific reason travels as the detail, for the console to explain it.
    throw new DomainError(code, error.message, { details: [{ path: 'file', message: error.code }] });
  }
}

/** A rule as audit records show it: what it matches and what it does. */
function ruleFields(rule: Pick<NewRule, 'type' | 'pattern' | 'category' | 'action'> & { validator?: string }) {
  return {
    type: rule.type,
    pattern: rule.pattern,
    validator: rule.validator,
    category: rule.category,
    action: rule.action,
  };
}

/** Validates a rule as the filter will read it, and computes the key that makes it unique. */
function toRule(id: string, raw: FilterRuleInput): NewRule {
  const parsed = filterRuleInputSchema.safeParse(raw);
  if (!parsed.success) throw WordPolicyError.ruleInvalid(parsed.error.issues[0]?.message ?? 'invalid');
  const input = parsed.data;
  if (input.type === 'word') {
    const matchKey = normalizeForMatching(input.pattern);
    if (!matchKey) throw WordPolicyError.ruleInvalid('the word is empty once invisible characters are removed');
    return { id, ...input, validator: 'none', matchKey };
  }
  const check = checkPattern(input.pattern);
  if (!check.ok) throw WordPolicyError.ruleInvalid(check.reason);
  return { id, ...input, matchKey: input.pattern };
}

import { Injectable } from '@nestjs/common';
import type { FilterHitSource } from '@miyu/protocol';
import { CurrentWordPolicy } from './current-policy.js';
import { HitLogService } from './hit-log.service.js';
import { WordPolicyError } from './word-policy.errors.js';

export interface TextAuthor {
  userId: string;
  deviceId?: string | null;
}

/**
 * The policy applied to plaintext the server itself handles (display names, group names and topics, department
 * names): `block` refuses with the words shown to the author, `mask` stores the text with the hits starred, `warn`
 * and `flag` let it through. Every hit is filed in the hit log (the text itself is not).
 */
@Injectable()
export class TextFilterService {
  constructor(
    private readonly current: CurrentWordPolicy,
    private readonly hits: HitLogService,
  ) {}

  /** Returns the text to store (masked where a `mask` rule matched); throws WORD_FILTER_BLOCKED on `block`. */
  async check(
    text: string,
    source: FilterHitSource,
    author: TextAuthor | null,
    conversationId: string | null = null,
  ): Promise<string> {
    const { version, filter, patterns } = await this.current.load();
    if (!filter || !text) return text;
    const result = filter.scan(text);
    if (result.hits.length === 0) return text;
    const rules = new Map(result.hits.map((h) => [h.ruleId, h]));
    await this.hits.file(
      [...rules.values()].map((h) => ({
        userId: author?.userId ?? null,
        deviceId: author?.deviceId ?? null,
        ruleId: h.ruleId,
        rulePattern: patterns.get(h.ruleId) ?? '',
        category: h.category,
        action: h.action,
        source,
        conversationId,
        clientMsgId: null,
        policyVersion: version,
      })),
    );
    if (result.action === 'block')
      throw WordPolicyError.blocked(
        source,
        result.hits.filter((h) => h.action === 'block').map((h) => h.text),
      );
    return filter.mask(text, result.hits);
  }
}

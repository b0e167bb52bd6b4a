import { Injectable } from '@nestjs/common';
import { type WordPolicyDocument, wordPolicyDocumentSchema } from '@miyu/protocol';
import { type CompiledFilter, compileFilter } from '@miyu/word-filter';
import { WordPolicyRepository } from './word-policy.repository.js';

/** How long a replica trusts its idea of the current version before asking the database again. */
export const VERSION_TTL_MS = 1000;

export interface LoadedPolicy {
  version: number;
  document: WordPolicyDocument | null;
  filter: CompiledFilter | null;
  /** Each rule's own pattern, for hit records (which never hold what the person wrote). */
  patterns: ReadonlyMap<string, string>;
}

/**
 * The published policy this replica enforces: its version (re-read at most every second, so a version published
 * on another replica is enforced here within that second) and its compiled filter (built once per version).
 */
@Injectable()
export class CurrentWordPolicy {
  private known: { version: number; at: number } | null = null;
  private loaded: Promise<LoadedPolicy> | null = null;

  constructor(private readonly repo: WordPolicyRepository) {}

  async version(): Promise<number> {
    const now = Date.now();
    if (this.known && now - this.known.at < VERSION_TTL_MS) return this.known.version;
    const version = await this.repo.latestVersionNumber();
    this.known = { version, at: now };
    return version;
  }

  /** Called by the publisher on this replica: the new version applies here at once. */
  published(version: number): void {
    this.known = { version, at: Date.now() };
  }

  async load(): Promise<LoadedPolicy> {
    const version = await this.version();
    const current = this.loaded ? await this.loaded.catch(() => null) : null;
    if (current && current.version === version) return current;
    this.loaded = this.compileLatest();
    return this.loaded;
  }

  private async compileLatest(): Promise<LoadedPolicy> {
    const latest = await this.repo.latest();
    if (!latest) return { version: 0, document: null, filter: null, patterns: new Map() };
    const document = wordPolicyDocumentSchema.parse(JSON.parse(latest.payload));
    return {
      version: latest.version,
      document,
      filter: compileFilter({ rules: document.rules, whitelist: document.whitelist, options: document.options }),
      patterns: new Map(document.rules.map((r) => [r.id, r.pattern])),
    };
  }
}

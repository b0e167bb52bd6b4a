/**
 * Public shapes of a sensitive-word policy (敏感词策略) and of scan results. A policy is signed by the organisation
 * and enforced by clients before encryption; the server applies the same policy to plaintexts it sees.
 */

/** What a hit asks the caller to do. Strongest first: `block` > `warn` > `mask` > `flag`. */
export type FilterAction = 'block' | 'mask' | 'warn' | 'flag';

/** Every action, strongest first; {@link ScanResult.action} is the first of these that any hit carries. */
export const FILTER_ACTIONS: readonly FilterAction[] = Object.freeze(['block', 'warn', 'mask', 'flag'] as const);

/** A literal word or phrase, matched on normalised text (see docs/word-filter.md). */
export interface WordRule {
  /** Unique within the policy; reported on every hit. */
  id: string;
  type: 'word';
  /** The word as an administrator typed it; at most 64 code points, before and after normalisation. */
  pattern: string;
  category: string;
  action: FilterAction;
}

/** A check run on a match of a {@link PatternRule} before it counts as a hit. */
export type PatternValidator = 'none' | 'luhn' | 'cn-id-card';

/** A regular expression in the linear-time subset accepted by {@link checkPattern}. */
export interface PatternRule {
  id: string;
  type: 'pattern';
  pattern: string;
  validator: PatternValidator;
  category: string;
  action: FilterAction;
}

export type FilterRule = WordRule | PatternRule;

export interface FilterOptions {
  /** Fold traditional Chinese characters to simplified ones (Unihan kSimplifiedVariant, one code point each). */
  foldTraditional: boolean;
  /** Ignore whitespace, punctuation and symbols between the characters of a word (`敏 感 词`, `f.u.c.k`). */
  skipSeparators: boolean;
}

export interface FilterPolicyInput {
  rules: readonly FilterRule[];
  /** Phrases that suppress any hit lying entirely inside one of their occurrences (e.g. `学习` for the word `习`). */
  whitelist: readonly string[];
  options: FilterOptions;
}

/** One occurrence of a rule in a scanned text. */
export interface FilterHit {
  ruleId: string;
  category: string;
  action: FilterAction;
  /** UTF-16 offset into the original text where the hit starts. */
  start: number;
  /** UTF-16 offset into the original text just after the hit (exclusive). */
  end: number;
  /** `original.slice(start, end)`: what the user typed, including any separators or invisible characters inside. */
  text: string;
}

export interface ScanResult {
  /** Hits ordered by start, then end, then rule order in the policy; overlapping hits are all reported. */
  hits: FilterHit[];
  /** The strongest action among the hits, `null` when there are none. */
  action: FilterAction | null;
}

/** A policy compiled once and then used for any number of scans; scanning is synchronous and deterministic. */
export interface CompiledFilter {
  /** Number of rules (word and pattern) in the policy; whitelist phrases are not counted. */
  readonly ruleCount: number;
  /** Finds every hit of every rule in `text`. */
  scan(text: string): ScanResult;
  /**
   * Replaces each code point covered by a hit whose action is `mask` with one `*` (a surrogate pair becomes a single
   * `*`); everything else is unchanged. Scans `text` first when `hits` is omitted.
   */
  mask(text: string, hits?: readonly FilterHit[]): string;
}

/** Limits enforced by {@link compileFilter}. */
export const FILTER_LIMITS = Object.freeze({
  /** Rules per policy. */
  maxRules: 50_000,
  /** Whitelist phrases per policy. */
  maxWhitelist: 50_000,
  /** Code points per word or whitelist phrase, as written and after normalisation. */
  maxWordLength: 64,
  /** Characters (UTF-16 code units) per regular expression. */
  maxPatternLength: 1_000,
  /** Upper bound n of a counted repetition {m,n}. */
  maxRepeat: 100,
  /** Instructions of a compiled regular expression. */
  maxProgramSize: 5_000,
  /** Length of a rule id. */
  maxRuleIdLength: 200,
});

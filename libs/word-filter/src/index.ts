/**
 * @miyu/word-filter — the organisation's sensitive-word policy (敏感词过滤), enforced by clients before encryption and
 * by the server on plaintexts it sees. Universal: no Node built-ins, no DOM. See docs/word-filter.md.
 */
export {
  type CompiledFilter,
  FILTER_ACTIONS,
  FILTER_LIMITS,
  type FilterAction,
  type FilterHit,
  type FilterOptions,
  type FilterPolicyInput,
  type FilterRule,
  type PatternRule,
  type PatternValidator,
  type ScanResult,
  type WordRule,
} from './types.js';
export { FilterRuleError } from './errors.js';
export { compileFilter } from './filter.js';
export { checkPattern } from './regex.js';
export { normalizeForMatching } from './normalize.js';
export { BUILT_IN_PATTERNS } from './builtin-patterns.js';

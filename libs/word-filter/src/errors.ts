/**
 * Thrown by {@link compileFilter} when a policy contains an invalid rule (an empty or over-long word, a pattern
 * outside the supported regular-expression subset, a duplicate id, …). `ruleId` names the rule; whitelist entries
 * are named `whitelist[<index>]` and policy-wide problems `policy`.
 */
export class FilterRuleError extends Error {
  readonly code = 'FILTER_RULE_INVALID' as const;
  readonly ruleId: string;
  readonly reason: string;

  constructor(ruleId: string, reason: string) {
    super(`invalid filter rule ${JSON.stringify(ruleId)}: ${reason}`);
    this.name = 'FilterRuleError';
    this.ruleId = ruleId;
    this.reason = reason;
  }
}

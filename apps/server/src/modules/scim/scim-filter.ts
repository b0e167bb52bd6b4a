import { pathToInvalidText } from '../../common/validation/zod.js';
import { ScimError } from './scim-errors.js';

export type ScimLiteral = string | number | boolean | null;

/** `attrPath eq value`: the only filter Miyu evaluates (what Okta and Entra send to find a resource). */
export interface EqualityFilter {
  /** As written: possibly schema-qualified (`urn:…:User:userName`) or dotted (`emails.value`). */
  attribute: string;
  value: ScimLiteral;
}

const ATTR_PATH = /^(?:urn:[A-Za-z0-9:._-]+:)?[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?$/;
const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);

/**
 * Parses `attr eq "value"`. Other operators, `and`/`or`/`not`, grouping and malformed input throw (invalidFilter):
 * Miyu would rather refuse a filter than answer it wrongly.
 */
export function parseEqualityFilter(
  text: string,
  fail: (detail: string) => ScimError = ScimError.invalidFilter,
): EqualityFilter {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 1000) throw fail('The filter is empty or too long.');
  const match = /^(\S+)\s+([A-Za-z]+)(?:\s+([\s\S]+))?$/.exec(trimmed);
  if (!match) throw fail(`The filter "${clip(trimmed)}" is not of the form: attribute eq "value".`);
  const [, attribute, operator, rest] = match as unknown as [string, string, string, string | undefined];
  if (!ATTR_PATH.test(attribute)) throw fail(`"${clip(attribute)}" is not an attribute path.`);
  const op = operator.toLowerCase();
  if (!OPERATORS.has(op)) throw fail(`"${clip(operator)}" is not a SCIM filter operator.`);
  if (op !== 'eq') throw fail(`Only the "eq" operator is supported (got "${op}").`);
  if (rest === undefined) throw fail('"eq" needs a value.');
  const value = parseLiteral(rest.trim(), fail);
  // Compared in SQL: NUL would fail the query, an unpaired surrogate match nothing stored.
  if (typeof value === 'string' && pathToInvalidText(value) !== null) throw fail('The value is not valid text.');
  return { attribute, value };
}

function parseLiteral(text: string, fail: (detail: string) => ScimError): ScimLiteral {
  if (text.startsWith('"')) {
    // A JSON string, and nothing after it (a trailing `and …` is a compound filter: not supported).
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw fail('Only one comparison per filter is supported.');
    try {
      return JSON.parse(text) as string;
    } catch {
      throw fail('The value is not a valid JSON string.');
    }
  }
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
  throw fail(`"${clip(text)}" is not a value (strings are quoted).`);
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

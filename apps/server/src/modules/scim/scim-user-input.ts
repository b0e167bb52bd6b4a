import {
  displayNameSchema,
  emailSchema,
  employeeNoSchema,
  loginNameSchema,
  passwordSchema,
  phoneSchema,
  SCIM_SCHEMA,
  type ScimUserInput,
  scimUserInputSchema,
} from '@miyu/protocol';
import type { ZodType } from 'zod';
import { ScimError } from './scim-errors.js';
import type { ScimUserExtras } from './scim.repository.js';
import { canonicalKeys, isObject, USER_DEFS } from './scim-schemas.js';

/** A User body (POST, PUT, or a resource after PATCH) as Miyu stores it. */
export interface DesiredUser {
  login: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  /** Undefined: not given (a new account is active; PUT keeps the current state). */
  active: boolean | undefined;
  employeeNo: string | null;
  managerId: string | null;
  password: string | undefined;
  extras: ScimUserExtras;
}

type MultiValue = { value?: string | undefined; type?: string | undefined; primary?: boolean | undefined };

/** The value Miyu keeps of a multi-valued attribute: the primary one, else the first of `preferred` types, else the first. */
function pick(values: MultiValue[] | null | undefined, preferred: string[]): MultiValue | null {
  const list = (values ?? []).filter((v) => v.value !== undefined && v.value !== '');
  return (
    list.find((v) => v.primary === true) ??
    preferred.map((t) => list.find((v) => v.type?.toLowerCase() === t)).find(Boolean) ??
    list[0] ??
    null
  );
}

function check<T>(schema: ZodType<T>, value: unknown, what: string, rule: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw ScimError.invalidValue(`${what} is not valid: ${rule}.`);
  return result.data;
}

const blankToNull = (s: string | null | undefined): string | null =>
  s === undefined || s === null || s === '' ? null : s;

/** Parses and validates a User body; every problem is a 400 invalidValue naming the attribute. */
export function desiredUser(body: unknown): DesiredUser {
  if (!isObject(body)) throw ScimError.invalidSyntax('The body must be a JSON object.');
  const parsed = scimUserInputSchema.safeParse(canonicalKeys(USER_DEFS, body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw ScimError.invalidValue(`${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
  }
  return fromInput(parsed.data);
}

function fromInput(input: ScimUserInput): DesiredUser {
  const login = check(
    loginNameSchema,
    input.userName,
    `userName "${input.userName}"`,
    'a Miyu login name has 2–64 letters, digits, dots, underscores or dashes (no @)',
  );
  const name = input.name ?? null;
  const joined = [name?.givenName, name?.familyName].filter((s) => s && s.length > 0).join(' ');
  const displayName = check(
    displayNameSchema,
    blankToNull(input.displayName) ?? blankToNull(name?.formatted) ?? blankToNull(joined) ?? input.userName,
    'displayName',
    'one line of 1–100 characters',
  );
  const email = pick(input.emails, ['work']);
  const phone = pick(input.phoneNumbers, ['mobile', 'work']);
  const enterprise = input[SCIM_SCHEMA.enterpriseUser] ?? null;
  const employeeNumber = blankToNull(enterprise?.employeeNumber);
  const manager = enterprise?.manager;
  const managerId =
    blankToNull(typeof manager === 'string' ? manager : (manager?.value ?? null))?.toLowerCase() ?? null;
  return {
    login,
    displayName,
    email: email ? check(emailSchema, email.value, 'emails.value', 'an email address') : null,
    phone: phone
      ? check(
          phoneSchema,
          phone.value!.replace(/[().]/g, ' ').replace(/\s+/g, ' ').trim(),
          'phoneNumbers.value',
          'digits, spaces and dashes, optionally starting with +',
        )
      : null,
    active: input.active,
    employeeNo:
      employeeNumber === null
        ? null
        : check(employeeNoSchema, employeeNumber, 'employeeNumber', 'one line of 1–64 characters'),
    managerId,
    password:
      input.password === undefined
        ? undefined
        : check(passwordSchema, input.password, 'password', 'at least 10 characters'),
    extras: {
      externalId: blankToNull(input.externalId),
      givenName: blankToNull(name?.givenName),
      familyName: blankToNull(name?.familyName),
      emailType: email?.type?.toLowerCase() ?? null,
      phoneType: phone?.type?.toLowerCase() ?? null,
      title: blankToNull(input.title),
      department: blankToNull(enterprise?.department),
    },
  };
}

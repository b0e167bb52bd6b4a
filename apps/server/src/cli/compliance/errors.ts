/**
 * Why a compliance CLI stopped (docs/compliance-export.md, "Failure messages"). Each code maps to one exit status:
 * 2 for the caller's mistakes (arguments, files, passphrase), 1 for everything the tool found wrong on the way.
 */
export const ComplianceCliCode = {
  USAGE: 'USAGE',
  PASSPHRASE_TOO_SHORT: 'PASSPHRASE_TOO_SHORT',
  PASSPHRASE_MISMATCH: 'PASSPHRASE_MISMATCH',
  PASSPHRASE_MISSING: 'PASSPHRASE_MISSING',
  WRONG_PASSPHRASE: 'WRONG_PASSPHRASE',
  KEY_FILE_EXISTS: 'KEY_FILE_EXISTS',
  KEY_FILE_INVALID: 'KEY_FILE_INVALID',
  FILE_UNREADABLE: 'FILE_UNREADABLE',
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_REFUSED: 'TOKEN_REFUSED',
  KEY_NOT_LISTED: 'KEY_NOT_LISTED',
  OUTPUT_EXISTS: 'OUTPUT_EXISTS',
  SERVER_UNREACHABLE: 'SERVER_UNREACHABLE',
  SERVER_ERROR: 'SERVER_ERROR',
  VERIFY_FAILED: 'VERIFY_FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type ComplianceCliCode = (typeof ComplianceCliCode)[keyof typeof ComplianceCliCode];

const USER_MISTAKES: ReadonlySet<ComplianceCliCode> = new Set([
  'USAGE',
  'PASSPHRASE_TOO_SHORT',
  'PASSPHRASE_MISMATCH',
  'PASSPHRASE_MISSING',
  'WRONG_PASSPHRASE',
  'KEY_FILE_EXISTS',
  'KEY_FILE_INVALID',
  'FILE_UNREADABLE',
  'TOKEN_MISSING',
  'OUTPUT_EXISTS',
]);

export class ComplianceCliError extends Error {
  constructor(
    readonly code: ComplianceCliCode,
    message: string,
  ) {
    super(message);
    this.name = 'ComplianceCliError';
  }

  /** Process exit status: 2 for usage and input errors, 1 for failures found while working. */
  get exitCode(): number {
    return USER_MISTAKES.has(this.code) ? 2 : 1;
  }
}

export function cliError(code: ComplianceCliCode, message: string): ComplianceCliError {
  return new ComplianceCliError(code, message);
}

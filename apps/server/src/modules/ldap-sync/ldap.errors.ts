import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export const LdapError = {
  notConfigured: () =>
    new DomainError(ErrorCode.LDAP_NOT_CONFIGURED, 'LDAP sync is not configured: save a configuration first.'),
  passwordRequired: () =>
    new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid.', {
      details: [{ path: 'bindPassword', message: 'required when no password is stored yet' }],
    }),
  /** Never includes the password; the server's own message may name the host. */
  connectFailed: (reason: string) =>
    new DomainError(ErrorCode.LDAP_CONNECT_FAILED, `Could not connect to the LDAP server: ${reason}`),
  bindFailed: () =>
    new DomainError(
      ErrorCode.LDAP_BIND_FAILED,
      'The LDAP server refused the bind DN or password (invalid credentials).',
    ),
  searchFailed: (base: string, reason: string) =>
    new DomainError(ErrorCode.LDAP_SEARCH_FAILED, `The LDAP search under ${base} failed: ${reason}`),
  running: () =>
    new DomainError(ErrorCode.LDAP_SYNC_RUNNING, 'An LDAP sync is already running; try again when it has finished.'),
};

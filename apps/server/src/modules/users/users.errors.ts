import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export class UsersError extends DomainError {
  static loginTaken(): UsersError {
    return new UsersError(ErrorCode.USER_LOGIN_TAKEN, 'That login name is already in use.');
  }
  static employeeNoTaken(): UsersError {
    return new UsersError(ErrorCode.USER_EMPLOYEE_NO_TAKEN, 'That employee number is already in use.');
  }
  static notFound(): UsersError {
    return new UsersError(ErrorCode.USER_NOT_FOUND, 'No such user.');
  }
  static lastAdmin(): UsersError {
    return new UsersError(ErrorCode.USER_LAST_ADMIN, 'This is the last active admin: make someone else admin first.');
  }
}

/**
 * Directory failures carry a stable code that is also an `ErrorCode` of @miyu/protocol (same strings); the server
 * maps them to HTTP statuses (apps/server/src/modules/directory). The lib does not import the protocol package so
 * it builds on its own.
 */
export type DirectoryErrorCode =
  | 'FORBIDDEN'
  | 'USER_NOT_FOUND'
  | 'DEPARTMENT_NOT_FOUND'
  | 'DEPARTMENT_MOVE_CYCLE'
  | 'DEPARTMENT_TOO_DEEP'
  | 'DEPARTMENT_NOT_EMPTY'
  | 'DEPARTMENT_CODE_TAKEN'
  | 'MEMBERSHIP_NOT_FOUND'
  | 'MEMBERSHIP_LIMIT'
  | 'MEMBERSHIP_PRIMARY_REQUIRED'
  | 'MANAGER_CYCLE'
  | 'DEPARTMENT_GROUP_NOT_FOUND'
  | 'DEPARTMENT_GROUP_EXISTS'
  | 'DEPARTMENT_GROUP_MANAGED'
  | 'IMPORT_INVALID'
  | 'IMPORT_TOO_LARGE'
  | 'IMPORT_UNREADABLE';

export interface DirectoryErrorDetail {
  path: string;
  message: string;
}

export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    readonly details?: DirectoryErrorDetail[],
  ) {
    super(message);
    this.name = 'DirectoryError';
  }

  static forbidden(): DirectoryError {
    return new DirectoryError('FORBIDDEN', 'You are not allowed to do this.');
  }
  static userNotFound(): DirectoryError {
    return new DirectoryError('USER_NOT_FOUND', 'No such person.');
  }
  static departmentNotFound(): DirectoryError {
    return new DirectoryError('DEPARTMENT_NOT_FOUND', 'No such department.');
  }
  static moveCycle(): DirectoryError {
    return new DirectoryError(
      'DEPARTMENT_MOVE_CYCLE',
      'A department cannot move under itself or its own sub-department.',
    );
  }
  static tooDeep(max: number): DirectoryError {
    return new DirectoryError('DEPARTMENT_TOO_DEEP', `Departments nest at most ${max} levels deep.`);
  }
  static notEmpty(reason: 'members' | 'subdepartments' | 'group'): DirectoryError {
    const why = {
      members: 'it still has members',
      subdepartments: 'it still has sub-departments',
      group: 'it has a department group that is not archived',
    }[reason];
    return new DirectoryError('DEPARTMENT_NOT_EMPTY', `The department cannot be deleted: ${why}.`, [
      { path: 'reason', message: reason },
    ]);
  }
  static codeTaken(): DirectoryError {
    return new DirectoryError('DEPARTMENT_CODE_TAKEN', 'That department code is already in use.');
  }
  static membershipNotFound(): DirectoryError {
    return new DirectoryError('MEMBERSHIP_NOT_FOUND', 'The person is not a member of that department.');
  }
  static membershipLimit(max: number): DirectoryError {
    return new DirectoryError('MEMBERSHIP_LIMIT', `A person belongs to at most ${max} departments.`);
  }
  static primaryRequired(): DirectoryError {
    return new DirectoryError(
      'MEMBERSHIP_PRIMARY_REQUIRED',
      'A person keeps exactly one primary department: make another one primary instead.',
    );
  }
  static managerCycle(): DirectoryError {
    return new DirectoryError('MANAGER_CYCLE', 'A person cannot report to themselves, directly or through others.');
  }
  static groupNotFound(): DirectoryError {
    return new DirectoryError('DEPARTMENT_GROUP_NOT_FOUND', 'No such department group.');
  }
  static groupExists(): DirectoryError {
    return new DirectoryError('DEPARTMENT_GROUP_EXISTS', 'That department already has a group.');
  }
  static groupManaged(): DirectoryError {
    return new DirectoryError(
      'DEPARTMENT_GROUP_MANAGED',
      "A department group's members follow the directory: change the department's members instead.",
    );
  }
}

/** Reads the Postgres unique-violation constraint name from a driver error (TypeORM wraps it). */
export function uniqueViolation(err: unknown): string | null {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' ? (e.driverError?.constraint ?? e.constraint ?? '') : null;
}

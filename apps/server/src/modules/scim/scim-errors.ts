import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { DirectoryError } from '@miyu/org-directory';
import { ErrorCode, SCIM_CONTENT_TYPE, SCIM_SCHEMA, type ScimErrorBody, type ScimErrorType } from '@miyu/protocol';
import type { Response } from 'express';
import { DomainError } from '../../common/errors/domain-error.js';
import { statusFor } from '../../common/errors/error-status.js';
import { logger } from '../../common/logging/json-logger.js';
import type { AuthedRequest } from '../auth/auth.decorators.js';

/** A failure in the SCIM error schema (RFC 7644 §3.12): an HTTP status, and a `scimType` where the RFC defines one. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimErrorType,
  ) {
    super(message);
    this.name = 'ScimError';
  }

  static notFound(what: 'User' | 'Group' | 'Resource' = 'Resource'): ScimError {
    return new ScimError(404, `${what} not found.`);
  }
  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidFilter');
  }
  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidSyntax');
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidPath');
  }
  static noTarget(detail: string): ScimError {
    return new ScimError(400, detail, 'noTarget');
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidValue');
  }
  static mutability(detail: string): ScimError {
    return new ScimError(400, detail, 'mutability');
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError(409, detail, 'uniqueness');
  }
  static unauthenticated(): ScimError {
    return new ScimError(401, 'SCIM needs a service token with the scope scim:provision (Authorization: Bearer).');
  }
}

/** Miyu's domain codes that have a SCIM meaning; any other code keeps its HTTP status and has no scimType. */
const SCIM_TYPE_OF: Partial<Record<ErrorCode, ScimErrorType>> = {
  [ErrorCode.USER_LOGIN_TAKEN]: 'uniqueness',
  [ErrorCode.USER_EMPLOYEE_NO_TAKEN]: 'uniqueness',
  [ErrorCode.DEPARTMENT_CODE_TAKEN]: 'uniqueness',
  [ErrorCode.VALIDATION_FAILED]: 'invalidValue',
  [ErrorCode.MALFORMED_REQUEST]: 'invalidSyntax',
  [ErrorCode.MANAGER_CYCLE]: 'invalidValue',
  [ErrorCode.MEMBERSHIP_LIMIT]: 'invalidValue',
  [ErrorCode.WORD_FILTER_BLOCKED]: 'invalidValue',
};
/** Statuses SCIM clients understand for a bad value (422 and friends become 400 invalidValue). */
const AS_BAD_VALUE = new Set<ErrorCode>([
  ErrorCode.WORD_FILTER_BLOCKED,
  ErrorCode.MANAGER_CYCLE,
  ErrorCode.MEMBERSHIP_LIMIT,
]);

/** Everything the SCIM routes throw, as one SCIM error. A request without a bearer token is always 401. */
export function toScimError(err: unknown, viaToken: boolean): ScimError & { unexpected?: boolean } {
  if (err instanceof ScimError) return err;
  if (err instanceof DirectoryError) return toScimError(new DomainError(ErrorCode[err.code], err.message), viaToken);
  if (err instanceof DomainError) {
    const status = statusFor(err.code);
    if (!viaToken && (status === 401 || err.code === ErrorCode.CSRF_INVALID)) return ScimError.unauthenticated();
    const scimType = SCIM_TYPE_OF[err.code];
    return new ScimError(AS_BAD_VALUE.has(err.code) ? 400 : status, err.message, scimType);
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return new ScimError(status, status === 404 ? 'Not found.' : err.message);
  }
  return Object.assign(new ScimError(500, 'Internal error.'), { unexpected: true });
}

export function scimErrorBody(err: ScimError): ScimErrorBody {
  return {
    schemas: [SCIM_SCHEMA.error],
    status: String(err.status),
    ...(err.scimType ? { scimType: err.scimType } : {}),
    detail: err.message,
  };
}

export function sendScimError(res: Response, err: ScimError): void {
  if (err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="miyu-scim"');
  res
    .status(err.status)
    .type(SCIM_CONTENT_TYPE)
    .send(JSON.stringify(scimErrorBody(err)));
}

/** Bound to the SCIM controllers: also catches what the global auth guard throws for them. */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<AuthedRequest>();
    const viaToken = /^Bearer /.test(req.headers.authorization ?? '');
    const mapped = toScimError(exception, viaToken);
    if (mapped.unexpected) {
      logger.event('error', 'scim', 'unhandled error', { method: req.method, path: req.path, err: exception });
    }
    if (res.headersSent) return;
    sendScimError(res, mapped);
  }
}

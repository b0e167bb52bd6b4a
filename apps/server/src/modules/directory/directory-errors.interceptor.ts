import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { DirectoryError } from '@miyu/org-directory';
import { ErrorCode } from '@miyu/protocol';
import { catchError, type Observable, throwError } from 'rxjs';
import { DomainError } from '../../common/errors/domain-error.js';

/** The directory lib throws its own DirectoryError (it does not import the server); its codes are protocol codes. */
export function toDomainError(err: unknown): unknown {
  if (err instanceof DirectoryError) {
    return new DomainError(ErrorCode[err.code], err.message, err.details ? { details: err.details } : {});
  }
  return err;
}

@Injectable()
export class DirectoryErrorsInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((err: unknown) => throwError(() => toDomainError(err))));
  }
}

import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { logger } from '../logging/json-logger.js';
import { currentRequestContext } from '../logging/request-context.js';
import { toApiError } from './to-api-error.js';

/** The one place HTTP errors get their shape. Socket acks use toApiError directly (see realtime). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const mapped = toApiError(exception, currentRequestContext()?.requestId);
    if (mapped.unexpected) {
      logger.event('error', 'http', 'unhandled error', { method: req.method, path: req.path, err: exception });
    }
    if (res.headersSent) return;
    if (mapped.body.error.retryAfterSeconds) res.setHeader('Retry-After', String(mapped.body.error.retryAfterSeconds));
    res.status(mapped.status).json(mapped.body);
  }
}

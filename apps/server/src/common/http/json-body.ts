import express, { type NextFunction, type Request, type Response } from 'express';
import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../errors/domain-error.js';
import { toApiError } from '../errors/to-api-error.js';
import { currentRequestContext } from '../logging/request-context.js';

export const JSON_BODY_LIMIT = '256kb';
/**
 * Far deeper than any body of ours; a 256 KiB body could otherwise nest 100 000 levels, and recursive code further on
 * (JSON.stringify, validators, canonical JSON for the audit log) would overflow the stack on it.
 */
export const JSON_MAX_DEPTH = 64;

/** Whether a parsed JSON value nests arrays/objects more than `max` levels deep (iterative: any depth is safe). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** JSON bodies only, bounded in size; malformed or oversized bodies get our error shape (400/413), not HTML. */
export function jsonBody() {
  const parse = express.json({ limit: JSON_BODY_LIMIT, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    // SCIM parses its own bodies (application/scim+json, errors in the SCIM error schema): modules/scim.
    if (req.path.startsWith('/scim/')) return next();
    // Incoming webhooks read their own raw body: the signature covers the exact bytes (modules/webhooks).
    if (req.path.startsWith('/hooks/')) return next();
    parse(req, res, (err?: unknown) => {
      const failure =
        err ??
        (jsonDepthExceeds(req.body, JSON_MAX_DEPTH)
          ? new DomainError(ErrorCode.MALFORMED_REQUEST, `The request body nests deeper than ${JSON_MAX_DEPTH} levels.`)
          : null);
      if (!failure) return next();
      const mapped = toApiError(failure, currentRequestContext()?.requestId);
      res.status(mapped.status).json(mapped.body);
    });
  };
}

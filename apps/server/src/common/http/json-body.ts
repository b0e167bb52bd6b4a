import express, { type NextFunction, type Request, type Response } from 'express';
import { toApiError } from '../errors/to-api-error.js';
import { currentRequestContext } from '../logging/request-context.js';

export const JSON_BODY_LIMIT = '256kb';

/** JSON bodies only, bounded in size; malformed or oversized bodies get our error shape (400/413), not HTML. */
export function jsonBody() {
  const parse = express.json({ limit: JSON_BODY_LIMIT, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    // SCIM parses its own bodies (application/scim+json, errors in the SCIM error schema): modules/scim.
    if (req.path.startsWith('/scim/')) return next();
    // Incoming webhooks read their own raw body: the signature covers the exact bytes (modules/webhooks).
    if (req.path.startsWith('/hooks/')) return next();
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const mapped = toApiError(err, currentRequestContext()?.requestId);
      res.status(mapped.status).json(mapped.body);
    });
  };
}

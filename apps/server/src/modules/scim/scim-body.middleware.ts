import { Injectable, type NestMiddleware } from '@nestjs/common';
import { SCIM_CONTENT_TYPE } from '@miyu/protocol';
import express, { type NextFunction, type Request, type Response } from 'express';
import { JSON_MAX_DEPTH, jsonDepthExceeds } from '../../common/http/json-body.js';
import { pathToInvalidText } from '../../common/validation/zod.js';
import { currentRequestContext } from '../../common/logging/request-context.js';
import { ScimError, sendScimError } from './scim-errors.js';

/** Large enough for a Group with thousands of members. */
export const SCIM_BODY_LIMIT = '1mb';

/**
 * For every /scim/v2 request: marks the request as coming through SCIM (its audit entries get `via: 'scim'`) and
 * parses `application/scim+json` and `application/json` bodies; an unreadable body is a SCIM invalidSyntax error.
 */
@Injectable()
export class ScimBodyMiddleware implements NestMiddleware {
  private readonly parse = express.json({
    limit: SCIM_BODY_LIMIT,
    strict: true,
    type: ['application/scim+json', 'application/json'],
  });

  use(req: Request, res: Response, next: NextFunction): void {
    const context = currentRequestContext();
    if (context) context.via = 'scim';
    res.setHeader('Content-Type', `${SCIM_CONTENT_TYPE}; charset=utf-8`);
    this.parse(req, res, (err?: unknown) => {
      if (!err && jsonDepthExceeds(req.body, JSON_MAX_DEPTH)) {
        return sendScimError(
          res,
          ScimError.invalidSyntax(`The request body nests deeper than ${JSON_MAX_DEPTH} levels.`),
        );
      }
      // NUL fails the whole PostgreSQL query; an unpaired surrogate is not Unicode (and loses the audit entry).
      const invalid = err ? null : pathToInvalidText(req.body);
      if (invalid !== null) {
        return sendScimError(
          res,
          ScimError.invalidValue(`${invalid || 'The body'}: not valid text (NUL or an unpaired surrogate).`),
        );
      }
      if (!err) return next();
      const type = (err as { type?: string }).type;
      sendScimError(
        res,
        type === 'entity.too.large'
          ? new ScimError(413, `The request body is larger than ${SCIM_BODY_LIMIT}.`)
          : ScimError.invalidSyntax('The request body is not valid JSON.'),
      );
    });
  }
}

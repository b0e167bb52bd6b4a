import type { Request } from 'express';
import { DomainError } from '../../common/errors/domain-error.js';
import { ErrorCode } from '@miyu/protocol';

/**
 * Reads an upload's raw body (only JSON bodies are parsed globally), refusing it with IMPORT_TOO_LARGE as soon
 * as it passes `limit` bytes, so an oversized file is never held in memory whole.
 */
export async function readRawBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new DomainError(ErrorCode.IMPORT_TOO_LARGE, `The import file is larger than ${limit} bytes.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new DomainError(ErrorCode.IMPORT_TOO_LARGE, `The import file is larger than ${limit} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

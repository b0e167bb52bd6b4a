import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';

/**
 * OpenAPI for an endpoint that reads its body raw (file uploads, signed payloads): the media types it takes and what
 * the bytes are. The handler reads and bounds the body itself.
 */
export function RawBodyDoc(mediaTypes: string[], description: string): MethodDecorator {
  return applyDecorators(
    ApiConsumes(...mediaTypes),
    ApiBody({ description, schema: { type: 'string', format: 'binary' } }),
  );
}

import { Controller, Get, Head, Headers, Patch, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ATTACHMENT_UPLOAD_CONTENT_TYPES,
  type AttachmentDto,
  type AttachmentLimits,
  createAttachmentRequestSchema,
  UPLOAD_LENGTH_HEADER,
  UPLOAD_OFFSET_HEADER,
} from '@miyu/protocol';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { parseOrThrow, UuidParam, ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { AttachmentsService } from './attachments.service.js';
import { RawBodyDoc } from '../../common/http/raw-body-doc.js';

const byteCount = z
  .string()
  .regex(/^\d{1,16}$/, 'expected a byte count')
  .transform(Number);
const uploadHeadersSchema = z.object({
  [UPLOAD_OFFSET_HEADER]: byteCount,
  'content-length': byteCount.optional(),
  'content-type': z
    .string()
    .transform((v) => v.split(';')[0]!.trim().toLowerCase())
    .pipe(z.enum(ATTACHMENT_UPLOAD_CONTENT_TYPES)),
});

/**
 * Encrypted attachment blobs (docs/attachments.md). Upload pieces are raw bytes (never parsed: only JSON bodies are),
 * streamed to the blob store; downloads stream back. Access is checked by the service.
 */
@ApiTags('attachments')
@SignedIn()
@Controller('api')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /** The upload limit (ATTACHMENT_MAX_BYTES), so clients refuse an oversized file before uploading anything. */
  @Get('attachments/limits')
  limits(): AttachmentLimits {
    return this.attachments.limits();
  }

  @Post('conversations/:id/attachments')
  create(
    @CurrentActor() actor: Actor,
    @UuidParam('id') conversationId: string,
    @ZodBody(createAttachmentRequestSchema) body: z.output<typeof createAttachmentRequestSchema>,
  ): Promise<AttachmentDto> {
    return this.attachments.create(actor, conversationId, body);
  }

  /** Where to resume: `Upload-Offset` (bytes stored) and `Upload-Length` (declared size). */
  @Head('attachments/:id')
  async head(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const status = await this.attachments.status(actor, id);
    res.setHeader(UPLOAD_OFFSET_HEADER, String(status.offset));
    res.setHeader(UPLOAD_LENGTH_HEADER, String(status.size));
    res.setHeader('cache-control', 'no-store');
  }

  @Get('attachments/:id/status')
  status(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<AttachmentDto> {
    return this.attachments.status(actor, id);
  }

  /** One upload piece: raw bytes starting at `Upload-Offset`. Answers with the attachment's new state. */
  @Patch('attachments/:id')
  @RawBodyDoc(['application/offset+octet-stream'], 'Ciphertext bytes from Upload-Offset on')
  async append(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Headers() headers: Record<string, string | undefined>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const h = parseOrThrow(uploadHeadersSchema, headers);
    // destroyOnReturn: false — a refused piece must not destroy the request, or the error answer cannot be sent.
    const body = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    const result = await this.attachments.append(actor, id, h[UPLOAD_OFFSET_HEADER], h['content-length'] ?? null, body);
    // An interrupted piece still counts (the client resumes after HEAD), but there is nobody left to answer.
    if (res.destroyed || !res.socket || res.socket.destroyed) return;
    res.setHeader(UPLOAD_OFFSET_HEADER, String(result.offset));
    res.status(200).json(result);
  }

  @Get('attachments/:id')
  async download(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<StreamableFile> {
    const { size, stream } = await this.attachments.open(actor, id);
    return new StreamableFile(stream, { type: 'application/octet-stream', length: size, disposition: 'attachment' });
  }
}

import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import {
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookPostResult,
  webhookMiyuPayloadSchema,
  webhookSlackPayloadSchema,
} from '@miyu/protocol';
import type { Request } from 'express';
import { CurrentActor, Public, Roles, TokenScopes } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { clientIp } from '../../common/http/origin.js';
import { jsonSchemaOf } from '../../common/validation/zod.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookError } from './webhooks.errors.js';

/**
 * The public endpoint other systems post to. No session: the request is authenticated by its HMAC signature. The
 * body is read raw (the JSON body parser skips /hooks/), capped at 64 KiB before anything else is done.
 */
@ApiTags('webhooks')
@Controller('hooks')
export class HooksController {
  constructor(private readonly delivery: WebhookDeliveryService) {}

  @Public()
  @ApiHeader({ name: 'X-Miyu-Timestamp', required: true, description: 'Unix seconds; refused when over 5 minutes off' })
  @ApiHeader({
    name: 'X-Miyu-Signature',
    required: true,
    description: 'sha256=<hex HMAC-SHA256 with the secret over "<timestamp>.<raw body>">',
  })
  @ApiBody({ schema: { oneOf: [jsonSchemaOf(webhookMiyuPayloadSchema), jsonSchemaOf(webhookSlackPayloadSchema)] } })
  @Post(':id')
  @HttpCode(200)
  async post(@Param('id') id: string, @Req() req: Request): Promise<WebhookPostResult> {
    const body = await readBody(req, WEBHOOK_MAX_BODY_BYTES);
    return this.delivery.post({
      hookId: id,
      timestamp: header(req, WEBHOOK_TIMESTAMP_HEADER),
      signature: header(req, WEBHOOK_SIGNATURE_HEADER),
      body,
      client: { ip: clientIp(req), userAgent: req.headers['user-agent'] ?? null },
    });
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The raw body, or WEBHOOK_PAYLOAD_TOO_LARGE as soon as it passes `limit` (by Content-Length or by bytes read). */
function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(WebhookError.tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(WebhookError.tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!done) reject(error);
    });
  });
}

/**
 * Posting as a hook's bot with an API token instead of a signature: service tokens with `bot:post` (they act as the
 * admin who created them), or an admin's session. Same payloads, word filter, rate limit and audit as `/hooks/:id`.
 */
@ApiTags('webhooks')
@Roles('admin')
@TokenScopes('bot:post')
@Controller('api/webhooks')
export class BotMessagesController {
  constructor(private readonly delivery: WebhookDeliveryService) {}

  @ApiBody({ schema: { oneOf: [jsonSchemaOf(webhookMiyuPayloadSchema), jsonSchemaOf(webhookSlackPayloadSchema)] } })
  @Post(':id/messages')
  @HttpCode(200)
  post(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<WebhookPostResult> {
    return this.delivery.postAuthenticated(actor, id, Buffer.from(JSON.stringify(body ?? null)), {
      ip: clientIp(req),
      userAgent: req.headers['user-agent'] ?? null,
    });
  }
}

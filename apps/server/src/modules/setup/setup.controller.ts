import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthState, setupAdminRequestSchema, type SetupStatus } from '@miyu/protocol';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { clientIp } from '../../common/http/origin.js';
import { ZodBody } from '../../common/validation/zod.js';
import { Public } from '../auth/auth.decorators.js';
import { setSessionCookie } from '../auth/session-cookie.js';
import { SetupService } from './setup.service.js';

@ApiTags('setup')
@Public()
@Controller('api/setup')
export class SetupController {
  constructor(
    private readonly setup: SetupService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('status')
  status(): Promise<SetupStatus> {
    return this.setup.status();
  }

  @Post('admin')
  async createAdmin(
    @ZodBody(setupAdminRequestSchema) body: z.output<typeof setupAdminRequestSchema>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthState> {
    const { token, ...input } = body;
    const { token: sessionToken, state } = await this.setup.createFirstAdmin(token, input, {
      ip: clientIp(req),
      userAgent: req.headers['user-agent'] ?? null,
    });
    setSessionCookie(res, this.config, sessionToken);
    return state;
  }
}

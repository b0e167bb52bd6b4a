import { Controller, Delete, Get, HttpCode, Inject, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type AuthState,
  changePasswordRequestSchema,
  loginRequestSchema,
  profileUpdateSchema,
  type SessionDto,
  type TotpConfirmResponse,
  totpConfirmRequestSchema,
  totpDisableRequestSchema,
  type TotpEnrollResponse,
  type UserDto,
} from '@miyu/protocol';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { clientIp } from '../../common/http/origin.js';
import { UuidParam, ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, CurrentAuth, Public, SignedIn } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import type { Actor, AuthenticatedSession } from './auth.types.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @ZodBody(loginRequestSchema) body: z.output<typeof loginRequestSchema>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthState> {
    const { token, state } = await this.auth.login(body, {
      ip: clientIp(req),
      userAgent: req.headers['user-agent'] ?? null,
    });
    setSessionCookie(res, this.config, token);
    return state;
  }

  @SignedIn()
  @Get('session')
  session(@CurrentAuth() auth: AuthenticatedSession): AuthState {
    return this.auth.state(auth);
  }

  @SignedIn()
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(actor);
    clearSessionCookie(res, this.config);
  }

  @SignedIn()
  @Get('sessions')
  listSessions(@CurrentActor() actor: Actor): Promise<SessionDto[]> {
    return this.sessions.list(actor);
  }

  @SignedIn()
  @Delete('sessions/:id')
  @HttpCode(204)
  revokeSession(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    return this.sessions.revokeOne(actor, id);
  }

  @SignedIn()
  @Post('sessions/revoke-others')
  @HttpCode(200)
  async revokeOthers(@CurrentActor() actor: Actor): Promise<{ revoked: number }> {
    return { revoked: await this.sessions.revokeOthers(actor) };
  }

  @SignedIn()
  @Patch('profile')
  updateProfile(
    @CurrentActor() actor: Actor,
    @ZodBody(profileUpdateSchema) body: z.output<typeof profileUpdateSchema>,
  ): Promise<UserDto> {
    return this.auth.updateProfile(actor, body);
  }

  @SignedIn()
  @Post('password')
  @HttpCode(204)
  changePassword(
    @CurrentActor() actor: Actor,
    @ZodBody(changePasswordRequestSchema) body: z.output<typeof changePasswordRequestSchema>,
  ): Promise<void> {
    return this.auth.changePassword(actor, body.currentPassword, body.newPassword);
  }

  @SignedIn()
  @Post('totp/enroll')
  @HttpCode(200)
  enrollTotp(@CurrentActor() actor: Actor): Promise<TotpEnrollResponse> {
    return this.auth.enrollTotp(actor);
  }

  @SignedIn()
  @Post('totp/confirm')
  @HttpCode(200)
  confirmTotp(
    @CurrentActor() actor: Actor,
    @ZodBody(totpConfirmRequestSchema) body: z.output<typeof totpConfirmRequestSchema>,
  ): Promise<TotpConfirmResponse> {
    return this.auth.confirmTotp(actor, body.code);
  }

  @SignedIn()
  @Post('totp/disable')
  @HttpCode(204)
  disableTotp(
    @CurrentActor() actor: Actor,
    @ZodBody(totpDisableRequestSchema) body: z.output<typeof totpDisableRequestSchema>,
  ): Promise<void> {
    return this.auth.disableTotp(actor, body.password);
  }
}

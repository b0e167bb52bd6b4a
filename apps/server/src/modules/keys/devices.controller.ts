import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  claimKeysRequestSchema,
  type ClaimKeysResponse,
  type DeviceDto,
  refillPrekeysRequestSchema,
  registerDeviceRequestSchema,
  signedPrekeyRequestSchema,
} from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { KeysService } from './keys.service.js';

@ApiTags('devices')
@SignedIn()
@Controller('api')
export class DevicesController {
  constructor(private readonly keys: KeysService) {}

  @Post('devices')
  register(
    @CurrentActor() actor: Actor,
    @ZodBody(registerDeviceRequestSchema) body: z.output<typeof registerDeviceRequestSchema>,
  ): Promise<DeviceDto> {
    return this.keys.register(actor, body);
  }

  @Get('users/:userId/devices')
  list(@CurrentActor() actor: Actor, @UuidParam('userId') userId: string): Promise<DeviceDto[]> {
    return this.keys.listDevices(actor, userId);
  }

  @Post('devices/:id/prekeys')
  refill(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(refillPrekeysRequestSchema) body: z.output<typeof refillPrekeysRequestSchema>,
  ): Promise<DeviceDto> {
    return this.keys.refill(actor, id, body.oneTimePrekeys);
  }

  @Put('devices/:id/signed-prekey')
  rotate(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(signedPrekeyRequestSchema) body: z.output<typeof signedPrekeyRequestSchema>,
  ): Promise<DeviceDto> {
    return this.keys.rotateSignedPrekey(actor, id, body);
  }

  @Post('keys/claim')
  @HttpCode(200)
  claim(
    @CurrentActor() actor: Actor,
    @ZodBody(claimKeysRequestSchema) body: z.output<typeof claimKeysRequestSchema>,
  ): Promise<ClaimKeysResponse> {
    return this.keys.claim(actor, body.deviceIds);
  }

  @Delete('devices/:id')
  @HttpCode(204)
  remove(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    return this.keys.remove(actor, id);
  }
}

import { Module } from '@nestjs/common';
import { DevicesController } from './devices.controller.js';
import { KeysListener } from './keys.listener.js';
import { KeysRepository } from './keys.repository.js';
import { KeysService } from './keys.service.js';

@Module({
  controllers: [DevicesController],
  providers: [KeysRepository, KeysService, KeysListener],
  exports: [KeysService],
})
export class KeysModule {}

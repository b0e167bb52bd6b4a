import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { WordPolicyModule } from '../word-policy/word-policy.module.js';
import { AdminUsersController } from './admin-users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [AuthModule, WordPolicyModule],
  controllers: [AdminUsersController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}

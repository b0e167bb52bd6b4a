import type { UserDto } from '@miyu/protocol';
import type { UserEntity } from './entities/user.entity.js';

export function toUserDto(u: UserEntity): UserDto {
  return {
    id: u.id,
    login: u.login,
    displayName: u.displayName,
    employeeNo: u.employeeNo,
    email: u.email,
    phone: u.phone,
    locale: u.locale,
    status: u.status,
    role: u.role,
    totpEnabled: u.totpSecret !== null,
    createdAt: u.createdAt.toISOString(),
  };
}

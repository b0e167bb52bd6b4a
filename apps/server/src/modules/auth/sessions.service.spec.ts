import type { EventEmitter2 } from '@nestjs/event-emitter';
import { loadConfig } from '../../config/app-config.js';
import { sha256 } from '../../common/security/tokens.js';
import type { SessionEntity } from './entities/session.entity.js';
import type { UserEntity } from './entities/user.entity.js';
import type { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import type { UsersRepository } from './users.repository.js';

/** Small tests with in-memory repositories; the same rules run against PostgreSQL in the integration suite. */
describe('SessionsService', () => {
  const config = loadConfig({ SESSION_IDLE_HOURS: '1', SESSION_TTL_HOURS: '24' });
  const user = { id: 'u1', status: 'active', role: 'member' } as UserEntity;
  let stored: SessionEntity[];
  let emitted: unknown[];
  let service: SessionsService;

  beforeEach(() => {
    stored = [];
    emitted = [];
    const sessions = {
      insert: async (s: SessionEntity) => void stored.push(s),
      findByTokenHash: async (h: Buffer) => stored.find((s) => s.tokenHash.equals(h)) ?? null,
      touch: async () => undefined,
      revokeForUser: async (userId: string) => {
        const hit = stored.filter((s) => s.userId === userId && !s.revokedAt);
        hit.forEach((s) => (s.revokedAt = new Date()));
        return hit.map((s) => s.id);
      },
    } as unknown as SessionsRepository;
    const users = { findById: async (id: string) => (id === user.id ? user : null) } as unknown as UsersRepository;
    const events = { emit: (_name: string, e: unknown) => emitted.push(e) } as unknown as EventEmitter2;
    service = new SessionsService(config, sessions, users, events);
  });

  it('stores only a hash of the token and authenticates with the token', async () => {
    const { token, session } = await service.create(user, { ip: '127.0.0.1', userAgent: 'jest' });
    expect(session.tokenHash.equals(sha256(token))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((await service.authenticate(token)).session.id).toBe(session.id);
  });

  it('expires a session idle for longer than SESSION_IDLE_HOURS', async () => {
    const { token, session } = await service.create(user, { ip: null, userAgent: null });
    session.lastSeenAt = new Date(Date.now() - 2 * 3_600_000);
    await expect(service.authenticate(token)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  });

  it('rejects oversized or unknown tokens as UNAUTHENTICATED', async () => {
    await expect(service.authenticate('x'.repeat(500))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(service.authenticate(undefined)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('announces revocations so every server process can drop the sockets', async () => {
    const { session } = await service.create(user, { ip: null, userAgent: null });
    await service.revoke(user.id, 'user_disabled');
    expect(emitted).toEqual([{ userId: 'u1', sessionIds: [session.id], reason: 'user_disabled' }]);
  });
});

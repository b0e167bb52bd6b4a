import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, SESSION_COOKIE } from '@miyu/protocol';
import { loadConfig } from '../../config/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import type { ApiTokensService } from './api-tokens.service.js';
import { Public, Roles, SignedIn } from './auth.decorators.js';
import { AuthGuard } from './auth.guard.js';
import type { SessionEntity } from './entities/session.entity.js';
import type { UserEntity } from './entities/user.entity.js';
import type { SessionsService } from './sessions.service.js';

@Controller('t')
class ThrowawayController {
  @Get('undeclared')
  undeclared(): void {}

  @Public()
  @Get('public')
  open(): void {}

  @SignedIn()
  @Get('signed-in')
  signedIn(): void {}

  @Roles('admin')
  @Public()
  @Get('both')
  both(): void {}
}

@Roles('admin')
class AdminGateway {
  handle(): void {}
}

class UndeclaredGateway {
  handle(): void {}
}

/** The guard fails closed: a handler without exactly one access declaration is refused, and the mistake is logged. */
describe('AuthGuard access declarations', () => {
  const member = { id: 'u1', role: 'member', status: 'active' } as UserEntity;
  let authenticated: number;
  let guard: AuthGuard;
  let logged: string[];

  beforeEach(() => {
    authenticated = 0;
    logged = [];
    jest.spyOn(logger, 'event').mockImplementation((level, _context, msg) => void logged.push(`${level}: ${msg}`));
    const sessions = {
      authenticate: async () => {
        authenticated += 1;
        return { user: member, session: { id: 's1', csrfToken: 'c' } as SessionEntity };
      },
    } as unknown as SessionsService;
    const tokens = {} as ApiTokensService;
    guard = new AuthGuard(new Reflector(), sessions, tokens, loadConfig({}));
  });
  afterEach(() => jest.restoreAllMocks());

  function http(handler: keyof ThrowawayController): ExecutionContextHost {
    const req = { method: 'GET', headers: {}, cookies: { [SESSION_COOKIE]: 'token' } };
    const ctx = new ExecutionContextHost(
      [req, {}, () => undefined],
      ThrowawayController,
      ThrowawayController.prototype[handler],
    );
    ctx.setType('http');
    return ctx;
  }

  function ws(gateway: typeof AdminGateway | typeof UndeclaredGateway, data: unknown): ExecutionContextHost {
    const ctx = new ExecutionContextHost([{ data }, {}], gateway, gateway.prototype.handle);
    ctx.setType('ws');
    return ctx;
  }

  async function refusal(run: Promise<boolean>): Promise<unknown> {
    return run.then(
      () => 'allowed',
      (err: unknown) => err,
    );
  }

  it('refuses a route without a declaration with FORBIDDEN before authenticating, and logs it', async () => {
    const err = await refusal(guard.canActivate(http('undeclared')));
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(ErrorCode.FORBIDDEN);
    expect(authenticated).toBe(0);
    expect(logged).toEqual([expect.stringMatching(/^error: handler refused/)]);
  });

  it('refuses a route with two declarations (method and class, or two on one level)', async () => {
    const err = await refusal(guard.canActivate(http('both')));
    expect((err as DomainError).code).toBe(ErrorCode.FORBIDDEN);
    expect(logged).toHaveLength(1);
  });

  it('lets @Public through without a session, and authenticates @SignedIn', async () => {
    expect(await guard.canActivate(http('open'))).toBe(true);
    expect(authenticated).toBe(0);
    expect(await guard.canActivate(http('signedIn'))).toBe(true);
    expect(authenticated).toBe(1);
    expect(logged).toEqual([]);
  });

  it('applies the same rule to socket handlers: undeclared is refused, roles are checked on the socket user', async () => {
    const undeclared = await refusal(guard.canActivate(ws(UndeclaredGateway, { userId: 'u1', role: 'admin' })));
    expect(undeclared).toBeInstanceOf(WsException);
    expect(logged).toHaveLength(1);
    const notAdmin = await refusal(guard.canActivate(ws(AdminGateway, { userId: 'u1', role: 'member' })));
    expect(notAdmin).toBeInstanceOf(WsException);
    const noUser = await refusal(guard.canActivate(ws(AdminGateway, {})));
    expect(noUser).toBeInstanceOf(WsException);
    expect(await guard.canActivate(ws(AdminGateway, { userId: 'u1', role: 'admin' }))).toBe(true);
  });
});

import { Controller, Get, Post } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { clientEventSchemas } from '@miyu/protocol';
import { Public, Roles, SignedIn } from '../../src/modules/auth/auth.decorators.js';
import {
  accessDeclarationProblems,
  httpHandlers,
  registeredClasses,
  socketHandlers,
} from '../support/access-declarations.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// Throwaway classes that the check must report: they prove the check can fail.
@Controller('throwaway')
class UndeclaredController {
  @Get()
  open(): string {
    return 'anyone?';
  }

  @SignedIn()
  @Post()
  declared(): string {
    return 'signed in';
  }
}

@Roles('admin')
@Controller('throwaway-double')
class DoublyDeclaredController {
  @Public()
  @Get()
  both(): string {
    return 'admin or anyone?';
  }
}

@WebSocketGateway()
class UndeclaredGateway {
  @SubscribeMessage('throwaway:event')
  handle(): string {
    return 'anyone?';
  }
}

/** Every HTTP route and socket handler of the real app declares its access explicitly (auth.decorators.ts). */
describe('access declarations', () => {
  let t: TestServer;
  let classes: ReturnType<typeof registeredClasses>;

  beforeAll(async () => {
    t = await startTestServer();
    classes = registeredClasses(t.server.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds exactly one of @Public, @SignedIn, @Roles on every route handler', () => {
    const handlers = httpHandlers(classes.controllers);
    expect(handlers.length).toBeGreaterThan(100);
    expect(accessDeclarationProblems(handlers)).toEqual([]);
  });

  it('finds exactly one declaration on every socket event handler, and a handler for every protocol event', () => {
    const handlers = socketHandlers(classes.gateways);
    expect(accessDeclarationProblems(handlers)).toEqual([]);
    expect(handlers.map((h) => h.key).sort()).toEqual(
      Object.keys(clientEventSchemas)
        .map((event) => `socket ${event}`)
        .sort(),
    );
  });

  it('reports handlers without a declaration, or with more than one, by name', () => {
    const problems = accessDeclarationProblems([
      ...httpHandlers([UndeclaredController, DoublyDeclaredController]),
      ...socketHandlers([UndeclaredGateway]),
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^UndeclaredController\.open \(GET \/throwaway\): no access declaration/),
      expect.stringMatching(/^DoublyDeclaredController\.both \(GET \/throwaway-double\): 2 access declarations/),
      expect.stringMatching(/^UndeclaredGateway\.handle \(socket throwaway:event\): no access declaration/),
    ]);
  });
});

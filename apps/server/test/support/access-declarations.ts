import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import type { INestApplication } from '@nestjs/common';
import { type AccessDeclaration, accessDeclarations } from '../../src/modules/auth/auth.decorators.js';

type HandlerClass = abstract new (...args: never[]) => unknown;

/** One HTTP route or socket event handler, with the access declarations found on it and on its class. */
export interface DeclaredHandler {
  /** `GET /api/conversations/:id` (Express path syntax, as registered) or `socket message:send`. */
  key: string;
  /** `ConversationsController.get`. */
  name: string;
  declarations: AccessDeclaration[];
}

/** The controller and gateway classes the running app registered (every module, as Nest resolved them). */
export function registeredClasses(app: INestApplication): { controllers: HandlerClass[]; gateways: HandlerClass[] } {
  const controllers = new Set<HandlerClass>();
  const gateways = new Set<HandlerClass>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      if (wrapper.metatype) controllers.add(wrapper.metatype as HandlerClass);
    }
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as HandlerClass | null;
      if (type && typeof type === 'function' && Reflect.getMetadata(GATEWAY_METADATA, type) === true)
        gateways.add(type);
    }
  }
  return { controllers: [...controllers], gateways: [...gateways] };
}

/** Every route handler of these controllers. */
export function httpHandlers(controllers: HandlerClass[]): DeclaredHandler[] {
  return controllers.flatMap((controller) =>
    methodsOf(controller).flatMap(({ name, handler }) => {
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (path === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] ?? 'GET';
      const bases = asArray(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
      return bases.flatMap((base) =>
        asArray(path).map((p) => ({
          key: `${method} ${joinPath(base, p)}`,
          name: `${controller.name}.${name}`,
          declarations: accessDeclarations(handler, controller),
        })),
      );
    }),
  );
}

/** Every @SubscribeMessage handler of these gateways. */
export function socketHandlers(gateways: HandlerClass[]): DeclaredHandler[] {
  return gateways.flatMap((gateway) =>
    methodsOf(gateway).flatMap(({ name, handler }) => {
      if (Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler) !== true) return [];
      return [
        {
          key: `socket ${String(Reflect.getMetadata(MESSAGE_METADATA, handler))}`,
          name: `${gateway.name}.${name}`,
          declarations: accessDeclarations(handler, gateway),
        },
      ];
    }),
  );
}

/** One line per handler without exactly one of @Public, @SignedIn, @Roles (on the method or its class). */
export function accessDeclarationProblems(handlers: DeclaredHandler[]): string[] {
  return handlers
    .filter((h) => h.declarations.length !== 1)
    .map((h) =>
      h.declarations.length === 0
        ? `${h.name} (${h.key}): no access declaration — add @Public(), @SignedIn() or @Roles(...)`
        : `${h.name} (${h.key}): ${h.declarations.length} access declarations (${h.declarations
            .map((d) => d.kind)
            .join(', ')}) — keep exactly one`,
    );
}

function methodsOf(type: HandlerClass): Array<{ name: string; handler: object }> {
  const prototype = type.prototype as Record<string, unknown>;
  return new MetadataScanner()
    .getAllMethodNames(prototype)
    .map((name) => ({ name, handler: prototype[name] as object }));
}

function asArray(path: string | string[] | undefined): string[] {
  if (path === undefined) return [''];
  return Array.isArray(path) ? path : [path];
}

function joinPath(base: string, path: string): string {
  const parts = [base, path].map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

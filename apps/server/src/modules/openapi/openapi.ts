import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SESSION_COOKIE } from '@miyu/protocol';

export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';

/** The OpenAPI document, built from the controllers; request schemas come from the zod schemas in libs/protocol. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Miyu API')
    .setDescription(
      'REST API of the Miyu server. Browser sessions use the httpOnly session cookie plus the X-CSRF-Token header ' +
        'on state-changing requests. Tools use a personal API token (`Authorization: Bearer miyu_pat_…`, ' +
        'POST /api/tokens), accepted only by the endpoints that name one of its scopes (the compliance export, ' +
        'the audit log). Errors are `{ error: { code, message } }` with codes from libs/protocol.',
    )
    .setVersion('0.1.0')
    .addCookieAuth(SESSION_COOKIE)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API token (miyu_pat_…)' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'api/docs/openapi.yaml',
    customSiteTitle: 'Miyu API',
  });
}

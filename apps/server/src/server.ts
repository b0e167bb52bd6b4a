import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { jsonClientErrors } from './common/http/client-error.js';
import { jsonBody } from './common/http/json-body.js';
import { apiRateLimit } from './common/http/rate-limit.js';
import { requestLogging } from './common/http/request-logging.js';
import { securityHeaders } from './common/http/security-headers.js';
import { webApp } from './common/http/web-app.js';
import { logger } from './common/logging/json-logger.js';
import { HealthService } from './modules/health/health.service.js';
import { MetricsService } from './modules/metrics/metrics.service.js';
import { setupOpenApi } from './modules/openapi/openapi.js';
import { MiyuSocketAdapter } from './modules/realtime/socket-adapter.js';

export interface MiyuServer {
  app: NestExpressApplication;
  /** Base URL the server listens on (with the real port when PORT=0). */
  url: string;
  /** Graceful stop: not-ready, stop accepting, drain sockets and HTTP, close Redis. The database is the caller's. */
  close(): Promise<void>;
}

export async function startServer(config: AppConfig, dataSource: DataSource): Promise<MiyuServer> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.with(config, dataSource), {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');

  const metrics = app.get(MetricsService);
  app.use(
    requestLogging({
      observe: (method, route, status, seconds) => {
        metrics.httpRequests.inc({ method, route, status: String(status) });
        metrics.httpDuration.observe({ method, route }, seconds);
      },
    }),
  );
  app.use(securityHeaders(config));
  app.use(
    apiRateLimit({ limit: config.apiRateLimitPerMinute, windowMs: 60_000, prefixes: ['/api/', '/hooks/', '/scim/'] }),
  );
  app.use(cookieParser());
  app.use(jsonBody());
  const web = webApp(config.webDistDir);
  if (web) app.use(web);
  else
    logger.event('info', 'http', 'web client not served (WEB_DIST_DIR empty or not built)', { dir: config.webDistDir });

  const adapter = new MiyuSocketAdapter(app, config.redisUrl, {
    ...config.socketEventLimit,
    onLimited: (event) => metrics.socketEvents.inc({ event, outcome: 'rate_limited' }),
  });
  await adapter.connect();
  app.useWebSocketAdapter(adapter);
  setupOpenApi(app);
  jsonClientErrors(app.getHttpServer());

  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    app,
    url,
    close() {
      closing ??= (async () => {
        app.get(HealthService).markDraining();
        const httpServer = app.getHttpServer();
        const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        // Keep-alive connections would hold close() open: end idle ones now, the rest after the grace period.
        httpServer.closeIdleConnections();
        const grace = setTimeout(() => httpServer.closeAllConnections(), config.shutdownGraceMs).unref();
        await app.close(); // closes the socket.io server (clients reconnect elsewhere) and Nest modules
        await drained;
        clearTimeout(grace);
        await adapter.closeRedis();
      })();
      return closing;
    },
  };
}

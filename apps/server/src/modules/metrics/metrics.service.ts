import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for this process; one registry per app instance (tests start several). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'miyu_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'miyu_http_request_duration_seconds',
    help: 'HTTP request duration.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly socketConnections = new Gauge({
    name: 'miyu_socket_connections',
    help: 'Open socket.io connections on this process.',
    registers: [this.registry],
  });
  readonly socketEvents = new Counter({
    name: 'miyu_socket_events_total',
    help: 'Inbound socket events by name and outcome.',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly logins = new Counter({
    name: 'miyu_logins_total',
    help: 'Sign-in attempts by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'miyu_' });
  }
}

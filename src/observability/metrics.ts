import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics the platform itself records. Each module
 * registers its own metrics on `registry` (one registry per app, so tests can build many).
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Histogram<'method' | 'route' | 'status'>;
  readonly errors: Counter<'code'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'touchpoint_process_' });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'touchpoint_http_request_duration_seconds',
      help: 'HTTP requests by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'touchpoint_http_errors_total',
      help: 'Error answers by TP_ERR code',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}

import { Counter, Histogram, type Registry } from 'prom-client';
import type { LifecycleEvents } from '../observability/lifecycle-events.ts';

/**
 * Delivery's Prometheus metrics, fed by the lifecycle bus (`delivery:attempt`, `delivery:queued`).
 * Labels are closed lists only (SPEC §4's results, reasons and states), never a channel or
 * project id, so the series count stays fixed however many channels an instance has; per-channel
 * figures are the console's delivery stats.
 *
 * @example
 *   registerDeliveryMetrics(events, metrics.registry);
 */
export function registerDeliveryMetrics(events: LifecycleEvents, registry: Registry): void {
  const requests = new Counter({
    name: 'touchpoint_delivery_requests_total',
    help: 'Delivery requests to receivers by verdict result and failure reason (none when it succeeded)',
    labelNames: ['result', 'reason'],
    registers: [registry],
  });
  const messages = new Counter({
    name: 'touchpoint_delivery_messages_total',
    help: 'Messages carried by delivery requests, by the state each request left them in',
    labelNames: ['state'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'touchpoint_delivery_request_duration_seconds',
    help: 'Time from sending a delivery request to its verdict, by result',
    labelNames: ['result'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const queued = new Counter({
    name: 'touchpoint_delivery_queued_messages_total',
    help: 'Messages made due in this process (sends, replays, resumes)',
    registers: [registry],
  });
  events.on('delivery:attempt', (a) => {
    requests.inc({ result: a.result, reason: a.reason ?? 'none' });
    latency.observe({ result: a.result }, a.latencyMs / 1000);
    for (const [state, n] of Object.entries(a.states)) messages.inc({ state }, n);
  });
  events.on('delivery:queued', (q) => queued.inc(q.messages));
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { systemScope } from '../access/scope.ts';
import type { LifecycleEvents } from '../observability/lifecycle-events.ts';
import type { Store } from '../store/store.ts';

/**
 * Delivery's Prometheus metrics (names documented in docs/metrics.md), fed by the lifecycle bus
 * (`delivery:attempt`, `delivery:queued`, `delivery:rate-wait`, `delivery:lease-lost`). Labels are
 * closed lists (SPEC §4's results, reasons and states) except the queue depth, which names the
 * channel: it is read from the database at each scrape with one grouped query, so every process
 * reports the whole queue and a channel with nothing unfinished has no series.
 *
 * @example
 *   registerDeliveryMetrics(events, metrics.registry, store);
 */
export function registerDeliveryMetrics(events: LifecycleEvents, registry: Registry, store?: Store): void {
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
  const rateWaits = new Counter({
    name: 'touchpoint_delivery_rate_limit_waits_total',
    help: 'Requests that waited for their start under a channel rate limit or a receiver 429',
    registers: [registry],
  });
  const rateWaitSeconds = new Counter({
    name: 'touchpoint_delivery_rate_limit_wait_seconds_total',
    help: 'Time requests waited for their start under a channel rate limit or a receiver 429',
    registers: [registry],
  });
  const leaseLosses = new Counter({
    name: 'touchpoint_delivery_lease_losses_total',
    help: 'Messages whose completion found the lease lost (fenced out, recorded late, nothing overwritten)',
    registers: [registry],
  });
  if (store)
    new Gauge({
      name: 'touchpoint_delivery_queue_messages',
      help: 'Unfinished messages (queued, sending, held) by channel and state, read at each scrape',
      labelNames: ['channel', 'state'],
      registers: [registry],
      async collect() {
        const rows = await store.delivery
          .queueDepth(systemScope('delivery metrics count the queue by channel and state'))
          .catch(() => undefined);
        if (!rows) return;
        this.reset();
        for (const r of rows) this.set({ channel: r.channelId, state: r.state }, r.count);
      },
    });
  events.on('delivery:rate-wait', (w) => {
    rateWaits.inc();
    rateWaitSeconds.inc(w.waitMs / 1000);
  });
  events.on('delivery:lease-lost', (l) => leaseLosses.inc(l.messages));
  events.on('delivery:attempt', (a) => {
    requests.inc({ result: a.result, reason: a.reason ?? 'none' });
    latency.observe({ result: a.result }, a.latencyMs / 1000);
    for (const [state, n] of Object.entries(a.states)) messages.inc({ state }, n);
  });
  events.on('delivery:queued', (q) => queued.inc(q.messages));
}

// The collector's Prometheus metrics, registered on the service's Ops registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CollectorMetrics {
  requests: Counter<'route' | 'status'>;
  events: Counter<'outcome' | 'reason'>;
  produceSeconds: Histogram;
}

export function collectorMetrics(registry: Registry, inflight: () => { requests: number; bytes: number }): CollectorMetrics {
  new Gauge({
    name: 'tessera_collector_inflight_requests', help: 'Requests waiting for Kafka to acknowledge their calls.', registers: [registry],
    collect() { this.set(inflight().requests); },
  });
  new Gauge({
    name: 'tessera_collector_inflight_bytes', help: 'Encoded bytes waiting for Kafka to acknowledge them.', registers: [registry],
    collect() { this.set(inflight().bytes); },
  });
  return {
    requests: new Counter({ name: 'tessera_collector_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers: [registry] }),
    events: new Counter({
      name: 'tessera_collector_events_total', help: 'Calls accepted (produced and acknowledged) or rejected, by reason code.',
      labelNames: ['outcome', 'reason'], registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'tessera_collector_produce_seconds', help: 'Time from a produce request to Kafka acknowledging it (one group of requests).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
    }),
  };
}

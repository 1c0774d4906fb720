// The profile API's Prometheus metrics, registered on the service's Ops registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ApiMetrics {
  requests: Counter<'route' | 'status'>;
  seconds: Histogram<'route'>;
  applied: Counter<'topic'>;
  undecodable: Counter<'topic'>;
  restoreSeconds: Gauge;
}

export interface StateSizes {
  identifiers: number; profiles: number; mergedProfiles: number; graphIdentifiers: number; graphClaims: number; deadLetters: number;
}

export function apiMetrics(registry: Registry, sizes: () => StateSizes): ApiMetrics {
  const gauge = (name: string, help: string, read: (s: StateSizes) => number) => new Gauge({
    name, help, registers: [registry], collect() { this.set(read(sizes())); },
  });
  gauge('tessera_api_identifiers', 'Identifiers in the identifier table (identity.identifiers).', (s) => s.identifiers);
  gauge('tessera_api_profiles', 'Active profiles in the profiles table.', (s) => s.profiles);
  gauge('tessera_api_merged_profiles', 'Merged-away profile ids kept to follow old ids to their survivor.', (s) => s.mergedProfiles);
  gauge('tessera_api_graph_identifiers', 'Identifiers in the explain graph (from identity.changelog).', (s) => s.graphIdentifiers);
  gauge('tessera_api_graph_claims', 'Claims in the explain graph.', (s) => s.graphClaims);
  gauge('tessera_api_dead_letters', 'Dead letters counted from the DLQ topic since start.', (s) => s.deadLetters);
  return {
    requests: new Counter({ name: 'tessera_api_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers: [registry] }),
    seconds: new Histogram({
      name: 'tessera_api_request_seconds', help: 'Time to answer a request, by route.', labelNames: ['route'], registers: [registry],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    applied: new Counter({ name: 'tessera_api_records_applied_total', help: 'Records applied from the followed topics, by topic.', labelNames: ['topic'], registers: [registry] }),
    undecodable: new Counter({ name: 'tessera_api_records_undecodable_total', help: 'Records skipped because they do not decode, by topic.', labelNames: ['topic'], registers: [registry] }),
    restoreSeconds: new Gauge({ name: 'tessera_api_restore_seconds', help: 'Time to read the identity tables to their end at start.', registers: [registry] }),
  };
}

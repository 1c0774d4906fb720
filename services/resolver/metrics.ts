// Prometheus metrics of the resolver.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function resolverMetrics(registry: Registry) {
  const r = [registry];
  return {
    eventsIn: new Counter({ name: 'tessera_resolver_events_in_total', help: 'Touchpoints consumed', registers: r }),
    eventsOut: new Counter({ name: 'tessera_resolver_records_out_total', help: 'Records published, by topic', labelNames: ['topic'], registers: r }),
    dlq: new Counter({ name: 'tessera_resolver_dlq_total', help: 'Touchpoints sent to the DLQ, by reason code', labelNames: ['code'], registers: r }),
    merges: new Counter({ name: 'tessera_resolver_merges_total', help: 'Profile merges', registers: r }),
    moves: new Counter({ name: 'tessera_resolver_moves_total', help: 'Identifiers moved between profiles by a re-resolve', registers: r }),
    refusals: new Counter({ name: 'tessera_resolver_refused_links_total', help: 'Identifiers left unlinked (limit or hub)', registers: r }),
    dropped: new Counter({ name: 'tessera_resolver_dropped_identifiers_total', help: 'Identifiers dropped before linking, by code', labelNames: ['code'], registers: r }),
    duplicates: new Counter({ name: 'tessera_resolver_duplicates_total', help: 'Touchpoints dropped because their messageId was seen recently', registers: r }),
    unresolved: new Counter({ name: 'tessera_resolver_unresolved_total', help: 'Touchpoints with no linkable identifier', registers: r }),
    transactions: new Counter({ name: 'tessera_resolver_transactions_total', help: 'Kafka transactions, by outcome', labelNames: ['outcome'], registers: r }),
    restores: new Counter({ name: 'tessera_resolver_restores_total', help: 'Graph restores from the changelog', registers: r }),
    batchSeconds: new Histogram({ name: 'tessera_resolver_batch_seconds', help: 'Time to resolve and commit one transaction', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: r }),
    lag: new Gauge({ name: 'tessera_resolver_lag', help: 'Input records not yet committed by the group, per partition (log end minus committed offset); absent while it cannot be measured', labelNames: ['partition'], registers: r }),
    lastCommit: new Gauge({ name: 'tessera_resolver_last_commit_seconds', help: 'Unix time of the last committed transaction (0 before the first)', registers: r }),
    poisonRestarts: new Counter({ name: 'tessera_resolver_poison_restarts_total', help: 'Sessions restarted because resolving one record threw (the record goes to the DLQ on the replay)', registers: r }),
    identifiers: new Gauge({ name: 'tessera_resolver_identifiers', help: 'Identifiers in the graph', registers: r }),
    profiles: new Gauge({ name: 'tessera_resolver_profiles', help: 'Profiles in the graph', registers: r }),
    hubs: new Gauge({ name: 'tessera_resolver_hub_identifiers', help: 'Identifiers that stopped linking (hubs)', registers: r }),
  };
}

export type ResolverMetrics = ReturnType<typeof resolverMetrics>;

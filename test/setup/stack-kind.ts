// Which stack the tests run on: the plain-process local stack (default, or servers you name), or containers.
export type StackKind = { kind: 'processes' } | { kind: 'containers' };

const EXTERNAL = ['TESSERA_KAFKA_BROKERS', 'TESSERA_REGISTRY_URL', 'TESSERA_CLICKHOUSE_URL'] as const;

/**
 * TESSERA_STACK: unset or `processes` → the plain-process stack (infra/local, or the servers the TESSERA_* URLs
 * name); `containers` → Kafka, the registry and ClickHouse started as containers with Testcontainers (needs a
 * Docker engine). Naming external servers together with `containers` is a contradiction, reported as one.
 */
export function chooseStack(env: Record<string, string | undefined>): StackKind {
  const wanted = (env.TESSERA_STACK ?? '').trim();
  if (wanted === '' || wanted === 'processes') return { kind: 'processes' };
  if (wanted !== 'containers') throw new Error(`TESSERA_STACK=${wanted}: expected "processes" (the default) or "containers"`);
  const named = EXTERNAL.filter((k) => env[k]);
  if (named.length > 0) throw new Error(`TESSERA_STACK=containers starts its own servers, but ${named.join(', ')} name${named.length === 1 ? 's' : ''} external ones: unset one or the other`);
  return { kind: 'containers' };
}

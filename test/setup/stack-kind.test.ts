// TESSERA_STACK selects the test stack; the plain-process stack stays the default.
import { describe, expect, it } from 'vitest';
import { chooseStack } from './stack-kind.ts';

describe('chooseStack', () => {
  it.each([
    [{}, 'processes'],
    [{ TESSERA_STACK: '' }, 'processes'],
    [{ TESSERA_STACK: 'processes' }, 'processes'],
    [{ TESSERA_STACK: 'processes', TESSERA_KAFKA_BROKERS: 'k:9092' }, 'processes'],
    [{ TESSERA_STACK: 'containers' }, 'containers'],
    [{ TESSERA_STACK: ' containers ' }, 'containers'],
  ] as const)('%o → %s', (env, kind) => {
    expect(chooseStack(env).kind).toBe(kind);
  });

  it('rejects an unknown stack, naming the choices', () => {
    expect(() => chooseStack({ TESSERA_STACK: 'docker' })).toThrow(/TESSERA_STACK=docker: expected "processes" \(the default\) or "containers"/);
  });

  it('rejects containers together with external servers, naming them', () => {
    expect(() => chooseStack({ TESSERA_STACK: 'containers', TESSERA_CLICKHOUSE_URL: 'http://ch:8123' })).toThrow(/TESSERA_CLICKHOUSE_URL names external ones/);
    expect(() => chooseStack({ TESSERA_STACK: 'containers', TESSERA_KAFKA_BROKERS: 'k:9092', TESSERA_REGISTRY_URL: 'http://r' }))
      .toThrow(/TESSERA_KAFKA_BROKERS, TESSERA_REGISTRY_URL name external ones/);
  });

  it('the container images are pinned to the versions the local stack runs', async () => {
    const { IMAGES } = await import('./containers.ts');
    expect(IMAGES.kafka).toMatch(/^confluentinc\/cp-kafka:8\.1\.\d+$/); // Apache Kafka 4.1
    expect(IMAGES.registry).toBe('apicurio/apicurio-registry:3.0.9');
    expect(IMAGES.clickhouse).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+$/);
  });
});

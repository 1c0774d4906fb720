// TESSERA_STACK=containers: Kafka (KRaft), Apicurio Registry and a current ClickHouse as containers, with the
// Testcontainers library. Needs a Docker-compatible engine; never run on the machines Tessera is developed on
// (no engine can start containers there), so it is typechecked and its selection is tested, nothing more.
import { KafkaContainer } from '@testcontainers/kafka';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import type { StackEndpoints } from './stack.ts';

// Confluent Platform 8.1 is Apache Kafka 4.1 (the local stack's version); the module runs it in KRaft mode.
export const IMAGES = {
  kafka: 'confluentinc/cp-kafka:8.1.0',
  registry: 'apicurio/apicurio-registry:3.0.9',
  clickhouse: 'clickhouse/clickhouse-server:26.7',
} as const;

export interface ContainerStack { endpoints: StackEndpoints; clickhouseTcpPort: number; stop(): Promise<void> }

export async function startContainerStack(): Promise<ContainerStack> {
  const network: StartedNetwork = await new Network().start();
  const started: StartedTestContainer[] = [];
  try {
    const kafka = await new KafkaContainer(IMAGES.kafka).withNetwork(network).withNetworkAliases('kafka').start();
    started.push(kafka);
    // The registry keeps schemas in memory: a test run is its whole life.
    const registry = await new GenericContainer(IMAGES.registry).withNetwork(network).withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080)).withStartupTimeout(120_000).start();
    started.push(registry);
    // The image restricts the default user to localhost unless told to skip its user setup.
    const clickhouse = await new GenericContainer(IMAGES.clickhouse).withExposedPorts(8123, 9000)
      .withEnvironment({ CLICKHOUSE_SKIP_USER_SETUP: '1' }).withUlimits({ nofile: { soft: 262144, hard: 262144 } })
      .withWaitStrategy(Wait.forHttp('/ping', 8123)).start();
    started.push(clickhouse);
    return {
      endpoints: {
        kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
        registryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
        clickhouseUrl: `http://${clickhouse.getHost()}:${clickhouse.getMappedPort(8123)}`,
      },
      clickhouseTcpPort: clickhouse.getMappedPort(9000),
      async stop() {
        for (const c of started.reverse()) await c.stop();
        await network.stop();
      },
    };
  } catch (err) {
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await network.stop().catch(() => undefined);
    throw err;
  }
}

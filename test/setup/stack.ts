// vitest global setup: reuse a running stack (local or external), or start the local one and stop it after.
import { execFileSync } from 'node:child_process';
import { serversDown } from '../../services/kit/probe.ts';
import type { TestProject } from 'vitest/node';
import { chooseStack } from './stack-kind.ts';

export interface StackEndpoints { kafkaBrokers: string[]; registryUrl: string; clickhouseUrl: string }

declare module 'vitest' {
  export interface ProvidedContext { stack: StackEndpoints }
}

const env = process.env;
const endpoints: StackEndpoints = {
  kafkaBrokers: (env.TESSERA_KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT ?? 9092}`).split(','),
  registryUrl: env.TESSERA_REGISTRY_URL ?? `http://127.0.0.1:${env.REGISTRY_PORT ?? 8081}/apis/ccompat/v7`,
  clickhouseUrl: env.TESSERA_CLICKHOUSE_URL ?? `http://127.0.0.1:${env.CLICKHOUSE_HTTP_PORT ?? 8123}`,
};

export default async function setup(project: TestProject): Promise<(() => void | Promise<void>) | undefined> {
  if (chooseStack(env).kind === 'containers') {
    // Loaded only when asked for: the plain-process stack needs neither the library nor an engine.
    const { startContainerStack } = await import('./containers.ts');
    const stack = await startContainerStack();
    project.provide('stack', stack.endpoints);
    env.CLICKHOUSE_TCP_PORT = String(stack.clickhouseTcpPort); // for clickhouse-client, in the test workers
    return env.TESSERA_KEEP_STACK === '1' ? undefined : () => stack.stop();
  }
  project.provide('stack', endpoints);
  const down = await serversDown(endpoints);
  if (down.length === 0) return undefined;
  const external = down.filter((c) => ({ kafka: env.TESSERA_KAFKA_BROKERS, registry: env.TESSERA_REGISTRY_URL, clickhouse: env.TESSERA_CLICKHOUSE_URL })[c]);
  if (external.length > 0) throw new Error(`external servers do not answer: ${external.join(', ')} (check the TESSERA_* variables)`);
  // The local stack is started in dependency order; the registry journals to Kafka.
  execFileSync('bash', ['infra/local/start.sh', ...down], { stdio: 'inherit' });
  if (env.TESSERA_KEEP_STACK === '1') return undefined;
  return () => { execFileSync('bash', ['infra/local/stop.sh', ...down.slice().reverse()], { stdio: 'inherit' }); };
}

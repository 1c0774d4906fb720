// Load test of the collector on loopback against the local stack: `npx tsx bench/collector-load.ts [seconds]`.
// Starts the collector in-process on an isolated topic prefix, drives it with autocannon (single calls, then
// batches of 50), prints requests/s, events/s and p99 latency, and deletes its topics afterwards.
import autocannon from 'autocannon';
import { startCollector } from '../services/collector/collector.ts';
import { collectorConfig } from '../services/collector/config.ts';
import { createKafka } from '../services/kit/kafka.ts';
import { createLogger } from '../services/kit/log.ts';
import { topicNames } from '../services/kit/topics.ts';

const seconds = Number(process.argv[2] ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const prefix = `bench.${Date.now().toString(36)}.`;
const env = { ...process.env, TESSERA_TOPIC_PREFIX: prefix, TESSERA_COLLECTOR_HOST: '127.0.0.1', TESSERA_COLLECTOR_PORT: '0', TESSERA_COLLECTOR_WRITE_KEYS: 'bench:web', TESSERA_LOG_LEVEL: 'error' };
const config = collectorConfig(env);
const collector = await startCollector(config, { log: createLogger('collector', 'error') });
await collector.ready;

const call = (i: number) => ({
  type: 'track', event: 'Product Viewed', anonymousId: `anon-${i % 5000}`, timestamp: new Date().toISOString(),
  context: { library: { name: 'analytics.js', version: '5' }, page: { url: 'https://shop.test/p/1', path: '/p/1' }, userAgent: 'Mozilla/5.0' },
  properties: { sku: `sku-${i % 100}`, price: 19.99, currency: 'EUR' },
});
const auth = `Basic ${Buffer.from('bench:').toString('base64')}`;

interface Row { scenario: string; eventsPerRequest: number; requestsPerSec: number; eventsPerSec: number; p50: number; p99: number; non2xx: number; errors: number }

async function scenario(name: string, path: string, eventsPerRequest: number): Promise<Row> {
  // A pool of distinct bodies (without messageIds, so the collector derives them) cycled by autocannon.
  const requests = Array.from({ length: 200 }, (_, r) => {
    const body = eventsPerRequest === 1 ? call(r) : { batch: Array.from({ length: eventsPerRequest }, (_, i) => call(r * eventsPerRequest + i)), sentAt: new Date().toISOString() };
    return { method: 'POST' as const, path, headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(body) };
  });
  const result = await autocannon({ url: collector.url, connections, duration: seconds, requests });
  const ok = result.requests.total - result.non2xx;
  return {
    scenario: name, eventsPerRequest,
    requestsPerSec: Math.round(ok / seconds),
    eventsPerSec: Math.round((ok * eventsPerRequest) / seconds),
    p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors,
  };
}

const rows = [await scenario('single /v1/track', '/v1/track', 1), await scenario('batch /v1/batch ×50', '/v1/batch', 50)];
await collector.close();
const admin = createKafka(config.brokers, 'bench-cleanup', createLogger('bench', 'error')).admin();
await admin.connect();
await admin.deleteTopics({ topics: Object.values(topicNames(prefix)) }).catch(() => undefined);
await admin.disconnect();

console.log(`\ncollector load, ${seconds} s per scenario, ${connections} connections, loopback, local Kafka (acks=all, idempotent)`);
console.log('scenario               events/req   req/s   events/s   p50 ms   p99 ms   non-2xx   errors');
for (const r of rows) {
  console.log(`${r.scenario.padEnd(22)} ${String(r.eventsPerRequest).padStart(10)} ${String(r.requestsPerSec).padStart(7)} ${String(r.eventsPerSec).padStart(10)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(8)}`);
}

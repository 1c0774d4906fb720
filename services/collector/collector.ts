// Assembles the collector: Kafka producer, schema registration, sink and HTTP server; usable in-process by tests.
import { createServer, type Server } from 'node:http';
import type { Kafka, Producer } from 'kafkajs';
import { backoff, sleep } from '../kit/backoff.ts';
import { describe } from '../kit/errors.ts';
import { createKafka, createMissingTopics, idempotentProducer } from '../kit/kafka.ts';
import { createLogger, type Logger } from '../kit/log.ts';
import { Ops } from '../kit/ops.ts';
import type { DeadLetterRecord } from '../kit/records.ts';
import { SCHEMAS } from '../kit/records.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import type { CollectorConfig } from './config.ts';
import { createHandler, type Encoder } from './http.ts';
import { collectorMetrics } from './metrics.ts';
import { cutDeep } from '../contract/json-shape.ts';
import { LIMITS } from '../contract/limits.ts';
import { partitionKey } from '../contract/normalise.ts';
import { KafkaSink } from './sink.ts';

export interface CollectorDeps {
  log?: Logger;
  clock?: () => number;
  kafka?: Kafka;
  codec?: AvroCodec;
  /** Create missing topics at start (off when the platform manages topics). */
  ensureTopics?: boolean;
}

export interface RunningCollector {
  port: number;
  url: string;
  ops: Ops;
  sink: KafkaSink;
  /** Resolves once the producer is connected and the schemas are registered. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export async function startCollector(config: CollectorConfig, deps: CollectorDeps = {}): Promise<RunningCollector> {
  const log = deps.log ?? createLogger('collector', config.logLevel);
  const clock = deps.clock ?? Date.now;
  const topics = topicNames(config.topicPrefix);
  const kafka = deps.kafka ?? createKafka(config.brokers, config.clientId, log);
  const codec = deps.codec ?? new AvroCodec(config.registryUrl);
  const ops = new Ops('collector');
  const producer: Producer = idempotentProducer(kafka);

  const sink = new KafkaSink(
    async (messages) => {
      const byTopic = new Map<string, { key: string | null; value: Buffer }[]>();
      for (const m of messages) {
        const list = byTopic.get(m.topic) ?? [];
        list.push({ key: m.key, value: m.value });
        byTopic.set(m.topic, list);
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
    },
    {
      timeoutMs: config.produceTimeoutMs,
      maxInflightRequests: config.maxInflightRequests,
      maxInflightBytes: config.maxInflightBytes,
      onGroup: (seconds, _n, ok) => { if (ok) metrics.produceSeconds.observe(seconds); },
    },
  );
  const metrics = collectorMetrics(ops.metrics, () => sink.inflight);

  let encoder: Encoder | null = null;
  const handler = createHandler({
    writeKeys: config.writeKeys, defaultSource: config.defaultSource, corsOrigins: config.corsOrigins,
    maxFutureMs: config.maxFutureMs, consentCategories: config.consentCategories, retryAfterSeconds: config.retryAfterSeconds, clock, sink,
    encoder: () => encoder, ops, metrics, log,
  });
  const server: Server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, handler);

  // Connecting and registering run in the background with backoff: the collector answers 503 until both are done,
  // so it starts (and reports /readyz) even while Kafka or the registry are still coming up.
  const stop = new AbortController();
  const ready = (async () => {
    const wait = backoff(200, 5_000);
    for (;;) {
      if (stop.signal.aborted) return;
      try {
        if (deps.ensureTopics !== false && !encoder) {
          await createMissingTopics(kafka, topics, { partitions: config.partitions, replicationFactor: config.replicationFactor });
        }
        if (!sink.connected) {
          await producer.connect();
          sink.setConnected(true);
        }
        const touchpointId = await codec.register(SCHEMAS.touchpoint, `${topics.touchpoints}-value`);
        const deadLetterId = await codec.register(SCHEMAS.deadLetter, `${topics.dlq}-value`);
        encoder = makeEncoder(codec, touchpointId, deadLetterId, topics.touchpoints, topics.dlq);
        ops.setReady(true, 'producer connected, schemas registered');
        log.info({ topic: topics.touchpoints, schemaId: touchpointId }, 'collector ready');
        return;
      } catch (err) {
        const delay = wait.next();
        ops.setReady(false, `starting: ${describe(err)}`);
        log.warn({ err: describe(err), retryInMs: delay }, 'collector not ready yet: Kafka or the schema registry is unavailable');
        await sleep(delay, stop.signal);
      }
    }
  })();
  producer.on(producer.events.DISCONNECT, () => {
    sink.setConnected(false);
    ops.setReady(false, 'producer disconnected');
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : config.port);
    });
  });
  log.info({ host: config.host, port, writeKeys: config.writeKeys.size }, 'collector listening');

  return {
    port,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    ops,
    sink,
    ready,
    async close() {
      stop.abort();
      ops.setReady(false, 'stopping');
      // Stop taking requests, let the admitted ones reach Kafka, then disconnect.
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeIdleConnections(); });
      await Promise.race([sink.drain(), sleep(config.produceTimeoutMs)]);
      await producer.disconnect().catch(() => undefined);
      // A connect still retrying against an unreachable Kafka ends on its own once aborted; do not wait for it.
      await Promise.race([ready.catch(() => undefined), sleep(1_000)]);
    },
  };
}

function makeEncoder(codec: AvroCodec, touchpointId: number, deadLetterId: number, touchpoints: string, dlq: string): Encoder {
  return {
    touchpoint: (t) => ({
      topic: touchpoints,
      key: partitionKey(t),
      value: codec.encode(SCHEMAS.touchpoint, touchpointId, t),
    }),
    refused: (r, route, receivedAt) => {
      const record: DeadLetterRecord = {
        code: r.code,
        reason: r.problems.join('; '),
        sourceTopic: `http:${route}`,
        sourcePartition: -1,
        sourceOffset: -1,
        key: null,
        // Cut below the depth limit: the call may be the one refused for nesting too deep for JSON.stringify.
        value: Buffer.from(JSON.stringify(cutDeep(r.original ?? null, LIMITS.depth))),
        service: 'collector',
        failedAt: receivedAt,
      };
      return { topic: dlq, key: r.messageId, value: codec.encode(SCHEMAS.deadLetter, deadLetterId, record) };
    },
  };
}

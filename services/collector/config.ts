// Collector configuration from the environment, parsed once at start-up.
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { parseWriteKeys, type WriteKeys } from './auth.ts';
import { consentCategoriesEnv, type ConsentCategories } from '../contract/consent.ts';

export const collectorEnv = {
  ...commonEnv,
  TESSERA_COLLECTOR_HOST: z.string().default('0.0.0.0'),
  TESSERA_COLLECTOR_PORT: intFromEnv(8080, 0),
  TESSERA_COLLECTOR_WRITE_KEYS: z.string({ error: 'required: write keys with optional channel, e.g. "key1:web,key2:server"' })
    .transform((s, ctx) => {
      const r = parseWriteKeys(s);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.problem });
        return z.NEVER;
      }
      return r.keys;
    }),
  TESSERA_COLLECTOR_DEFAULT_SOURCE: z.string().regex(/^[a-z][a-z0-9_-]*$/).default('server'),
  /** Access-Control-Allow-Origin: "*" echoes the request's Origin; otherwise a comma-separated allow-list. */
  TESSERA_COLLECTOR_CORS_ORIGINS: z.string().default('*')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  TESSERA_COLLECTOR_MAX_FUTURE_MS: intFromEnv(24 * 3_600_000, 0),
  TESSERA_COLLECTOR_PRODUCE_TIMEOUT_MS: intFromEnv(5_000, 100),
  TESSERA_COLLECTOR_MAX_INFLIGHT_REQUESTS: intFromEnv(1_000, 1),
  TESSERA_COLLECTOR_MAX_INFLIGHT_BYTES: intFromEnv(64 * 1024 * 1024, 1024),
  TESSERA_COLLECTOR_RETRY_AFTER_S: intFromEnv(5, 1),
  ...consentCategoriesEnv,
  ...topicLayoutEnv,
};

export interface CollectorConfig {
  host: string;
  port: number;
  brokers: string[];
  clientId: string;
  registryUrl: string;
  topicPrefix: string;
  logLevel: string;
  writeKeys: WriteKeys;
  defaultSource: string;
  corsOrigins: string[];
  maxFutureMs: number;
  consentCategories: ConsentCategories;
  produceTimeoutMs: number;
  maxInflightRequests: number;
  maxInflightBytes: number;
  retryAfterSeconds: number;
  partitions: number;
  replicationFactor: number;
}

export function collectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const c = parseEnv(collectorEnv, env);
  return {
    host: c.TESSERA_COLLECTOR_HOST,
    port: c.TESSERA_COLLECTOR_PORT,
    brokers: c.TESSERA_KAFKA_BROKERS,
    clientId: c.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-collector',
    registryUrl: c.TESSERA_REGISTRY_URL,
    topicPrefix: c.TESSERA_TOPIC_PREFIX,
    logLevel: c.TESSERA_LOG_LEVEL,
    writeKeys: c.TESSERA_COLLECTOR_WRITE_KEYS,
    defaultSource: c.TESSERA_COLLECTOR_DEFAULT_SOURCE,
    corsOrigins: c.TESSERA_COLLECTOR_CORS_ORIGINS,
    maxFutureMs: c.TESSERA_COLLECTOR_MAX_FUTURE_MS,
    consentCategories: c.TESSERA_CONSENT_CATEGORIES,
    produceTimeoutMs: c.TESSERA_COLLECTOR_PRODUCE_TIMEOUT_MS,
    maxInflightRequests: c.TESSERA_COLLECTOR_MAX_INFLIGHT_REQUESTS,
    maxInflightBytes: c.TESSERA_COLLECTOR_MAX_INFLIGHT_BYTES,
    retryAfterSeconds: c.TESSERA_COLLECTOR_RETRY_AFTER_S,
    partitions: c.TESSERA_PARTITIONS,
    replicationFactor: c.TESSERA_REPLICATION_FACTOR,
  };
}

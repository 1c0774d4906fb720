// The warehouse writer's configuration: the shared settings plus event source, identity rules, batching, consumer
// group and HTTP port.
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';
import { privacyKeyEnv } from '../privacy/config.ts';

export const writerEnv = {
  ...commonEnv,
  TESSERA_WRITER_GROUP: z.string().min(1).optional(),
  // resolved: the resolver's per-event stream (the topology before the extract and link stages); touchpoints: read the
  // touchpoints beside the link stage and attribute through identity.claims / identity.identifiers (decode.ts).
  TESSERA_WRITER_EVENTS: z.enum(['resolved', 'touchpoints']).default('resolved'),
  ...identityRulesEnv,
  ...privacyKeyEnv,
  TESSERA_WRITER_BATCH_ROWS: intFromEnv(20_000, 1),
  TESSERA_WRITER_FLUSH_MS: intFromEnv(1_000, 10),
  TESSERA_WRITER_MAX_BUFFERED_ROWS: intFromEnv(200_000, 1),
  TESSERA_WRITER_FETCH_WAIT_MS: intFromEnv(1_000, 10),
  TESSERA_WRITER_SESSION_TIMEOUT_MS: intFromEnv(30_000, 6_000),
  ...topicLayoutEnv,
  TESSERA_HTTP_PORT: intFromEnv(9465, 0),
  TESSERA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};

export type WriterConfig = ReturnType<typeof parseWriterConfig>;

export function parseWriterConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(writerEnv, env);
  return {
    ...c,
    TESSERA_WRITER_GROUP: c.TESSERA_WRITER_GROUP ?? `${c.TESSERA_TOPIC_PREFIX}warehouse-writer`,
    identity: identityRules(c.TESSERA_IDENTITY_RULES),
    // A flush must fit in one atomic insert and below the memory bound.
    TESSERA_WRITER_MAX_BUFFERED_ROWS: Math.max(c.TESSERA_WRITER_MAX_BUFFERED_ROWS, c.TESSERA_WRITER_BATCH_ROWS),
  };
}

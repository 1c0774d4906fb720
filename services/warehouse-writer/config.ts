// The warehouse writer's configuration: the shared settings plus identity rules, batching, consumer group and HTTP
// port.
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { ConfigError } from '../kit/errors.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';
import { privacyKey, privacyKeyEnv } from '../privacy/config.ts';

export const writerEnv = {
  ...commonEnv,
  TESSERA_WRITER_GROUP: z.string().min(1).optional(),
  ...identityRulesEnv,
  ...privacyKeyEnv,
  TESSERA_WRITER_BATCH_ROWS: intFromEnv(20_000, 1),
  TESSERA_WRITER_FLUSH_MS: intFromEnv(1_000, 10),
  TESSERA_WRITER_FETCH_WAIT_MS: intFromEnv(1_000, 10),
  TESSERA_WRITER_SESSION_TIMEOUT_MS: intFromEnv(30_000, 6_000),
  ...topicLayoutEnv,
  TESSERA_HTTP_PORT: intFromEnv(9465, 0),
  TESSERA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};

export type WriterConfig = ReturnType<typeof parseWriterConfig>;

/**
 * Settings that existed once and would now change nothing silently: a writer told to read the resolver's resolved
 * stream must not start reading the touchpoints without saying so.
 */
function retired(env: NodeJS.ProcessEnv): string[] {
  const events = env.TESSERA_WRITER_EVENTS;
  return events && events !== 'touchpoints'
    ? [`TESSERA_WRITER_EVENTS: "${events}" is no longer supported: the writer reads the touchpoints itself, beside the link stage (docs/warehouse-writer.md); unset it`]
    : [];
}

export function parseWriterConfig(env: NodeJS.ProcessEnv = process.env) {
  const old = retired(env);
  let c: ReturnType<typeof parseEnv<typeof writerEnv>>;
  try {
    c = parseEnv(writerEnv, env);
  } catch (err) {
    throw err instanceof ConfigError ? new ConfigError([...old, ...err.problems]) : err;
  }
  if (old.length) throw new ConfigError(old);
  return {
    ...c,
    TESSERA_WRITER_GROUP: c.TESSERA_WRITER_GROUP ?? `${c.TESSERA_TOPIC_PREFIX}warehouse-writer`,
    identity: identityRules(c.TESSERA_IDENTITY_RULES),
    privacyKey: privacyKey(c, env),
  };
}

// Resolved-event stage configuration from the environment (the identity rules must be the extract stage's).
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';

const shape = {
  ...commonEnv,
  ...identityRulesEnv,
  TESSERA_RESOLVED_GROUP: z.string().min(1).optional(),
  // Touchpoints per processor call, and how often consumed offsets are committed after the outputs are acknowledged.
  TESSERA_RESOLVED_CHUNK: intFromEnv(2_000, 1),
  TESSERA_RESOLVED_COMMIT_INTERVAL_MS: intFromEnv(1_000, 10),
  TESSERA_RESOLVED_SESSION_TIMEOUT_MS: intFromEnv(30_000, 6_000),
  // Touchpoints waiting for the link stage to link their claim: at most this many, each at most this long (→ DLQ).
  TESSERA_RESOLVED_PARK_MAX: intFromEnv(100_000, 1),
  TESSERA_RESOLVED_PARK_MAX_MS: intFromEnv(300_000, 100),
  // How often parked touchpoints are checked against the tables when no touchpoint arrives.
  TESSERA_RESOLVED_PUNCTUATE_MS: intFromEnv(200, 10),
  ...topicLayoutEnv,
  TESSERA_HTTP_PORT: intFromEnv(9468, 0),
  TESSERA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};

export type ResolvedConfig = ReturnType<typeof parseResolvedConfig>;

export function parseResolvedConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(shape, env);
  return {
    ...c,
    group: c.TESSERA_RESOLVED_GROUP ?? `${c.TESSERA_TOPIC_PREFIX}resolved`,
    identity: identityRules(c.TESSERA_IDENTITY_RULES),
  };
}

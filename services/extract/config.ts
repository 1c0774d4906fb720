// Extract stage configuration from the environment.
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';
import { privacyKey, privacyKeyEnv } from '../privacy/config.ts';

const shape = {
  ...commonEnv,
  ...identityRulesEnv,
  ...privacyKeyEnv,
  TESSERA_EXTRACT_GROUP: z.string().min(1).optional(),
  // Claims remembered per instance (about 200 bytes each); 0 publishes every linkable touchpoint's claim.
  TESSERA_EXTRACT_CACHE_SIZE: intFromEnv(250_000, 0),
  // Touchpoints per processor call, and how often the consumed offsets are committed after the claims are acknowledged.
  TESSERA_EXTRACT_CHUNK: intFromEnv(2_000, 1),
  TESSERA_EXTRACT_COMMIT_INTERVAL_MS: intFromEnv(1_000, 10),
  TESSERA_EXTRACT_SESSION_TIMEOUT_MS: intFromEnv(30_000, 6_000),
  ...topicLayoutEnv,
  TESSERA_HTTP_PORT: intFromEnv(9466, 0),
  TESSERA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};

export type ExtractConfig = ReturnType<typeof parseExtractConfig>;

export function parseExtractConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(shape, env);
  return {
    ...c,
    group: c.TESSERA_EXTRACT_GROUP ?? `${c.TESSERA_TOPIC_PREFIX}extract`,
    identity: identityRules(c.TESSERA_IDENTITY_RULES),
    privacyKey: privacyKey(c, env),
  };
}

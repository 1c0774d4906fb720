// Resolver configuration from the environment, including the identity rules (JSON inline or a file path).
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';

const shape = {
  ...commonEnv,
  TESSERA_RESOLVER_GROUP: z.string().min(1).optional(),
  TESSERA_RESOLVER_INSTANCE: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only').default('resolver-0'),
  ...identityRulesEnv,
  // A transaction commits once it holds this many touchpoints, or once it is LINGER_MS old.
  TESSERA_RESOLVER_TXN_MAX: intFromEnv(5000, 1),
  TESSERA_RESOLVER_LINGER_MS: intFromEnv(100, 1),
  // A commit that takes longer has an unknown outcome: the producer is thrown away and the session starts over.
  TESSERA_RESOLVER_COMMIT_TIMEOUT_MS: intFromEnv(30_000, 1_000),
  // How many recent messageIds are remembered to drop repeats (0 = off); about 100 bytes each.
  TESSERA_RESOLVER_DEDUPE_WINDOW: intFromEnv(500_000, 0),
  // How long a silent member keeps the input: a crashed resolver's successor waits this long before taking over.
  TESSERA_RESOLVER_SESSION_TIMEOUT_MS: intFromEnv(30_000, 6_000),
  // Running but without an answer from Kafka, or with records waiting and nothing committed, for this long: not ready.
  TESSERA_RESOLVER_STALL_MS: intFromEnv(15_000, 1_000),
  ...topicLayoutEnv,
  TESSERA_HTTP_PORT: intFromEnv(9464),
  TESSERA_HTTP_HOST: z.string().default('127.0.0.1'),
};

export type ResolverConfig = ReturnType<typeof parseResolverConfig>;

export function parseResolverConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(shape, env);
  return {
    ...c,
    group: c.TESSERA_RESOLVER_GROUP ?? `${c.TESSERA_TOPIC_PREFIX}resolver`,
    transactionalId: `${c.TESSERA_TOPIC_PREFIX}resolver.${c.TESSERA_RESOLVER_INSTANCE}`,
    identity: identityRules(c.TESSERA_IDENTITY_RULES),
  };
}

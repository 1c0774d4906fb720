// Link stage configuration from the environment, including the identity rules (the extract stage reads the same).
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';
import { privacyKey, privacyKeyEnv } from '../privacy/config.ts';

const shape = {
  ...commonEnv,
  ...identityRulesEnv,
  ...privacyKeyEnv,
  TESSERA_LINK_GROUP: z.string().min(1).optional(),
  TESSERA_LINK_INSTANCE: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only').default('link-0'),
  // A transaction commits once it holds this many claims, or once it is LINGER_MS old.
  TESSERA_LINK_TXN_MAX: intFromEnv(5_000, 1),
  TESSERA_LINK_LINGER_MS: intFromEnv(100, 1),
  // A commit that takes longer has an unknown outcome: the producer is thrown away and the session starts over.
  TESSERA_LINK_COMMIT_TIMEOUT_MS: intFromEnv(30_000, 1_000),
  // A crashed owner's open transaction is aborted by the broker after this long; a standby's restore waits for it.
  TESSERA_LINK_TXN_TIMEOUT_MS: intFromEnv(60_000, 1_000),
  // How long a silent member keeps the input: a crashed owner's standby waits this long before taking over.
  TESSERA_LINK_SESSION_TIMEOUT_MS: intFromEnv(30_000, 6_000),
  ...topicLayoutEnv,
  TESSERA_HTTP_PORT: intFromEnv(9467, 0),
  TESSERA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};

export type LinkConfig = ReturnType<typeof parseLinkConfig>;

export function parseLinkConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(shape, env);
  return {
    ...c,
    group: c.TESSERA_LINK_GROUP ?? `${c.TESSERA_TOPIC_PREFIX}link`,
    transactionalId: `${c.TESSERA_TOPIC_PREFIX}link.${c.TESSERA_LINK_INSTANCE}`,
    identity: identityRules(c.TESSERA_IDENTITY_RULES),
    privacyKey: privacyKey(c, env),
  };
}

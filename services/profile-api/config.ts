// Profile API configuration from the environment, parsed once at start-up: where to listen, the access tokens, the
// identity rules lookups normalise with (the extract and link stages read the same), and the query bounds.
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';
import { piiKeyEnv } from '../privacy/pii-config.ts';
import { parseTokens } from './tokens.ts';

export const apiEnv = {
  ...commonEnv,
  ...identityRulesEnv,
  // Loopback by default: the API hands out customer data; listen wider on purpose (0.0.0.0) behind TLS.
  TESSERA_API_HOST: z.string().min(1).default('127.0.0.1'),
  TESSERA_API_PORT: intFromEnv(8090, 0),
  TESSERA_API_TOKENS: z.string({ error: 'required: access tokens with their scope, e.g. "<read-token>:read,<admin-token>:admin"' })
    .transform((s, ctx) => {
      const r = parseTokens(s);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.problem });
        return z.NEVER;
      }
      return r.tokens;
    }),
  TESSERA_API_EVENTS_DEFAULT_DAYS: intFromEnv(90, 1),
  TESSERA_API_EVENTS_MAX_DAYS: intFromEnv(400, 1),
  TESSERA_API_OVERVIEW_DEFAULT_DAYS: intFromEnv(30, 1),
  TESSERA_API_OVERVIEW_MAX_DAYS: intFromEnv(400, 1),
  TESSERA_API_QUERY_TIMEOUT_MS: intFromEnv(10_000, 100),
  TESSERA_API_DEAD_LETTERS_KEPT: intFromEnv(100, 1),
  // How long the admin erasure route waits for the erasure's final answer; after it, the answer says pending.
  TESSERA_API_PRIVACY_TIMEOUT_MS: intFromEnv(60_000, 100),
  ...piiKeyEnv,
  ...topicLayoutEnv,
};

export type ApiConfig = ReturnType<typeof parseApiConfig>;

export function parseApiConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(apiEnv, env);
  return { ...c, identity: identityRules(c.TESSERA_IDENTITY_RULES) };
}

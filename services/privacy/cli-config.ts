// What `tessera forget` and `tessera export` read from the environment.
import { commonEnv, parseEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';
import { privacyKey, privacyKeyEnv } from './config.ts';

export function parsePrivacyCliConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv({ ...commonEnv, ...identityRulesEnv, ...privacyKeyEnv }, env);
  return { ...c, identity: identityRules(c.TESSERA_IDENTITY_RULES), privacyKey: privacyKey(c, env) };
}

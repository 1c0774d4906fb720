// The privacy key for the services that hash identifiers (suppression list, audit): pii-config's one loader, read once.
import { ConfigError } from '../kit/errors.ts';
import { loadPiiKey, piiKeyEnv } from './pii-config.ts';

/**
 * TESSERA_PRIVACY_HASH_KEY or TESSERA_PRIVACY_HASH_KEY_FILE, as for the analysts' hashes: one key, so the suppression
 * list, the audit and the analysts' database hash an identifier alike. No default: a public key would let anyone
 * reverse the hashes with a dictionary.
 */
export const privacyKeyEnv = piiKeyEnv;

/** The key the parsed environment names; a ConfigError naming the variable when there is none or it is bad. */
export function privacyKey(cfg: { TESSERA_PRIVACY_HASH_KEY?: string | undefined; TESSERA_PRIVACY_HASH_KEY_FILE?: string | undefined },
  env: NodeJS.ProcessEnv = process.env): Buffer {
  const k = loadPiiKey(cfg, env);
  if (!k.ok) throw new ConfigError([k.problem]);
  return k.key;
}

// TESSERA_IDENTITY_RULES → the identity configuration: JSON inline or a path to a JSON file, merged onto the defaults.
// Every stage that extracts identifiers (resolver, extract, warehouse writer) must read the same rules, or the same
// event would yield other identifiers and another claim key.
import { readFileSync } from 'node:fs';
import { defaultIdentityConfig, parseIdentityConfig, type IdentityConfig } from '../identity/index.ts';
import { ConfigError } from './errors.ts';

export function identityRules(source: string | undefined): IdentityConfig {
  if (!source) return defaultIdentityConfig;
  let json: unknown;
  try {
    json = JSON.parse(source.trimStart().startsWith('{') ? source : readFileSync(source, 'utf8'));
  } catch (err) {
    throw new ConfigError([`TESSERA_IDENTITY_RULES: neither valid JSON nor a readable JSON file (${(err as Error).message})`]);
  }
  const parsed = parseIdentityConfig(json);
  if (!parsed.ok) throw new ConfigError(parsed.errors.map((e) => `TESSERA_IDENTITY_RULES: ${e}`));
  return parsed.config;
}

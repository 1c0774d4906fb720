// The identity rules from TESSERA_IDENTITY_RULES (JSON inline or a path to a JSON file), merged onto the
// defaults: every stage that extracts or links identifiers must read the same rules.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defaultIdentityConfig, parseIdentityConfig, type IdentityConfig } from '../identity/index.ts';
import { ConfigError } from './errors.ts';

export const identityRulesEnv = { TESSERA_IDENTITY_RULES: z.string().optional() };

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

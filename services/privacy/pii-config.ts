// Privacy settings from the environment (the kit's zod style): the keyed-hash secret and the retention of raw events.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { z } from 'zod';
import { MIN_KEY_BYTES } from './keyed-hash.ts';
import { MAX_RETENTION_DAYS } from './retention.ts';

/** Where the local stack generates the key once (infra/local/start.sh); never inside the checkout. */
export const defaultKeyFile = (env: NodeJS.ProcessEnv = process.env): string =>
  `${env.TESSERA_HOME || `${homedir()}/.cache/tessera`}/privacy-hash.key`;

/** A key as hex text: at least MIN_KEY_BYTES bytes (64 hex digits), surrounding whitespace ignored. */
export function parseKeyText(text: string): { ok: true; key: Buffer } | { ok: false; problem: string } {
  const t = text.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(t)) return { ok: false, problem: 'must be hex digits (e.g. the output of `openssl rand -hex 32`)' };
  if (t.length < MIN_KEY_BYTES * 2) return { ok: false, problem: `must be at least ${MIN_KEY_BYTES} bytes (${MIN_KEY_BYTES * 2} hex digits), got ${t.length / 2}` };
  return { ok: true, key: Buffer.from(t, 'hex') };
}

/**
 * The secret of the keyed hashes analysts see: TESSERA_PRIVACY_HASH_KEY (hex) or, without it, the file TESSERA_PRIVACY_HASH_KEY_FILE
 * (default $TESSERA_HOME/privacy-hash.key). One key for every service and command, so a hash means the same everywhere.
 */
export const piiKeyEnv = {
  TESSERA_PRIVACY_HASH_KEY: z.string().optional(),
  TESSERA_PRIVACY_HASH_KEY_FILE: z.string().optional(),
};

export const retentionEnv = {
  TESSERA_RETENTION_DAYS: z.coerce.number().int().min(1).max(MAX_RETENTION_DAYS).optional(),
};

/** Reads the key the environment names; a problem is one line naming the variable, for ConfigError. */
export function loadPiiKey(cfg: { TESSERA_PRIVACY_HASH_KEY?: string | undefined; TESSERA_PRIVACY_HASH_KEY_FILE?: string | undefined }, env: NodeJS.ProcessEnv = process.env):
  { ok: true; key: Buffer } | { ok: false; problem: string } {
  if (cfg.TESSERA_PRIVACY_HASH_KEY !== undefined) {
    const k = parseKeyText(cfg.TESSERA_PRIVACY_HASH_KEY);
    return k.ok ? k : { ok: false, problem: `TESSERA_PRIVACY_HASH_KEY: ${k.problem}` };
  }
  const file = cfg.TESSERA_PRIVACY_HASH_KEY_FILE ?? defaultKeyFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problem: `TESSERA_PRIVACY_HASH_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set TESSERA_PRIVACY_HASH_KEY or create the file with \`openssl rand -hex 32\`` };
  }
  const k = parseKeyText(text);
  return k.ok ? k : { ok: false, problem: `TESSERA_PRIVACY_HASH_KEY_FILE (${file}): ${k.problem}` };
}

// The privacy key: the secret of every keyed identifier hash (suppression list, audit), read once from the environment.
import { z } from 'zod';
import { MIN_KEY_BYTES } from './keyed-hash.ts';

/**
 * The development key of the local stack and the tests: public (it is in this file), so hashes made with it can be
 * reversed by hashing a dictionary. Every deployment sets its own (docs/privacy.md); services log a warning on this one.
 */
export const DEVELOPMENT_KEY = '7465737365726120646576656c6f706d656e74206b6579202d206e6f7420736563726574';

export const privacyKeyEnv = {
  // Hex, at least 32 bytes; the same value for the link stage, the writer, the privacy service and the CLI.
  TESSERA_PRIVACY_HASH_KEY: z.string().default(DEVELOPMENT_KEY)
    .refine((s) => /^(?:[0-9a-fA-F]{2})+$/.test(s), 'must be hex digits (an even number of them)')
    .refine((s) => s.length / 2 >= MIN_KEY_BYTES, `must be at least ${MIN_KEY_BYTES} bytes (${MIN_KEY_BYTES * 2} hex digits)`)
    .transform((s) => Buffer.from(s, 'hex')),
};

export const isDevelopmentKey = (key: Buffer): boolean => key.equals(Buffer.from(DEVELOPMENT_KEY, 'hex'));

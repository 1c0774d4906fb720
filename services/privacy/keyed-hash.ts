// Keyed hashes of identifiers: what privacy records and analysts see instead of a raw email or phone.
import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 of a normalised identifier under a secret key, as 64 hex digits. Keyed so that nobody
 * without the key can recover an email by hashing a dictionary of addresses; the type is part of the
 * input so that the same text under two types gives two hashes.
 */
export function keyedHash(key: Buffer, type: string, value: string): string {
  return createHmac('sha256', key).update(type).update('\u0000').update(value).digest('hex');
}

/** The shortest key accepted: 32 bytes, the size of the hash (RFC 2104 advises at least that). */
export const MIN_KEY_BYTES = 32;

// Keyed identifier hashes: deterministic per key, separated by type and by key.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { keyedHash } from './keyed-hash.ts';

const key = Buffer.alloc(32, 7);
const other = Buffer.alloc(32, 8);

describe('keyedHash', () => {
  it('is HMAC-SHA256 under the key of type, NUL, value (known answer from Python hmac)', () => {
    // python3 -c 'import hmac,hashlib;print(hmac.new(b"Jefe",b"what\\x00do ya want for nothing?",hashlib.sha256).hexdigest())'
    expect(keyedHash(Buffer.from('Jefe'), 'what', 'do ya want for nothing?')).toBe('265094f2911ca60070dba3bf45b4f3d9cce6a2d7c824f73fd7e2a27b9fdb899e');
  });
  it('differs from an unkeyed hash of the same text, so a dictionary of addresses does not recover it', () => {
    const unkeyed = createHash('sha256').update('email\u0000ada@example.com').digest('hex');
    expect(keyedHash(key, 'email', 'ada@example.com')).not.toBe(unkeyed);
  });
  it('property: same key, type and value give the same hash; another key, type or value another', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (t, v, w) => {
      expect(keyedHash(key, t, v)).toBe(keyedHash(key, t, v));
      expect(keyedHash(key, t, v)).toMatch(/^[0-9a-f]{64}$/);
      expect(keyedHash(other, t, v)).not.toBe(keyedHash(key, t, v));
      if (v !== w) expect(keyedHash(key, t, w)).not.toBe(keyedHash(key, t, v));
    }));
  });
  it('keeps type and value apart: ("a", "bc") and ("ab", "c") hash differently', () => {
    expect(keyedHash(key, 'a', 'bc')).not.toBe(keyedHash(key, 'ab', 'c'));
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analystFeedViews, hmacPads } from './analyst-feed.ts';
import { keyedHash } from './keyed-hash.ts';
import { loadPiiKey, parseKeyText } from './pii-config.ts';

/** HMAC from the pads, as the feed's SQL computes it: SHA256(outer ‖ SHA256(inner ‖ type ‖ NUL ‖ value)). */
const fromPads = (key: Buffer, type: string, value: string): string => {
  const { inner, outer } = hmacPads(key);
  const innerHash = createHash('sha256').update(Buffer.from(inner, 'hex')).update(type).update('\u0000').update(value).digest();
  return createHash('sha256').update(Buffer.from(outer, 'hex')).update(innerHash).digest('hex');
};

describe('the feed\'s HMAC', () => {
  it('equals keyedHash for any key, type and value (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 100 }), fc.string(), fc.string(), (k, type, value) => {
      const key = Buffer.from(k);
      expect(fromPads(key, type, value)).toBe(keyedHash(key, type, value));
    }));
  });

  it('puts the pads in the views, never the key itself, and hashes every identifier column', () => {
    const key = Buffer.alloc(32, 0xab);
    const sql = analystFeedViews(key, 'tessera').map(([, s]) => s).join('\n');
    expect(sql).not.toContain(key.toString('hex'));
    expect(sql).toContain(hmacPads(key).inner);
    for (const column of ['user_id', 'anonymous_id', 'claim_key', 'device_id', 'session_key', 'id_value', 'primary_value']) expect(sql).toMatch(new RegExp(`'\\\\0', ${column}\\)`));
    expect(sql).not.toMatch(/\b(ip|user_agent|page_url|page_referrer|trait_values)\b/);
  });
});

describe('the PII key\'s configuration', () => {
  it.each([
    ['a'.repeat(63), 'must be hex digits'],
    ['zz'.repeat(32), 'must be hex digits'],
    ['ab'.repeat(31), 'at least 32 bytes (64 hex digits), got 31'],
  ])('%s is refused: %s', (text, problem) => {
    const r = parseKeyText(text);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });

  it('reads TESSERA_PRIVACY_HASH_KEY, else the key file, and names the variable when neither works', () => {
    expect(loadPiiKey({ TESSERA_PRIVACY_HASH_KEY: ` ${'ab'.repeat(32)}\n` })).toEqual({ ok: true, key: Buffer.alloc(32, 0xab) });
    const dir = mkdtempSync(join(tmpdir(), 'tessera-key-'));
    writeFileSync(join(dir, 'privacy-hash.key'), `${'cd'.repeat(32)}\n`);
    expect(loadPiiKey({}, { TESSERA_HOME: dir })).toEqual({ ok: true, key: Buffer.alloc(32, 0xcd) });
    const missing = loadPiiKey({ TESSERA_PRIVACY_HASH_KEY_FILE: join(dir, 'nope') });
    expect(missing.ok ? '' : missing.problem).toMatch(/^TESSERA_PRIVACY_HASH_KEY_FILE: cannot read .*nope \(ENOENT\)/);
    const short = loadPiiKey({ TESSERA_PRIVACY_HASH_KEY: 'abcd' });
    expect(short.ok ? '' : short.problem).toMatch(/^TESSERA_PRIVACY_HASH_KEY: must be at least 32 bytes/);
  });
});

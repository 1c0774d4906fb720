import { describe, expect, it } from 'vitest';
import { ConfigError } from '../kit/errors.ts';
import { defaultIdentityConfig, ruleFor } from '../identity/index.ts';
import { parseWriterConfig as parseWith } from './config.ts';

// The key is set explicitly: the machine's key file ($TESSERA_HOME/privacy-hash.key) is no test input.
const KEY = 'ab'.repeat(32);
const parseWriterConfig = (env: NodeJS.ProcessEnv) => parseWith({ TESSERA_PRIVACY_HASH_KEY: KEY, ...env });

describe('parseWriterConfig', () => {
  it('has defaults for everything', () => {
    expect(parseWriterConfig({})).toMatchObject({
      TESSERA_WRITER_GROUP: 'tessera.warehouse-writer', TESSERA_WRITER_BATCH_ROWS: 20_000, TESSERA_WRITER_FLUSH_MS: 1_000,
      TESSERA_HTTP_PORT: 9465, TESSERA_HTTP_HOST: '127.0.0.1', identity: defaultIdentityConfig,
    });
  });
  it.each([
    [{ TESSERA_TOPIC_PREFIX: 'x.' }, { TESSERA_WRITER_GROUP: 'x.warehouse-writer' }],
    [{ TESSERA_WRITER_GROUP: 'g' }, { TESSERA_WRITER_GROUP: 'g' }],
  ])('%j', (env, expected) => expect(parseWriterConfig(env)).toMatchObject(expected));
  it('reads the identity rules the extract stage reads (TESSERA_IDENTITY_RULES)', () => {
    const cfg = parseWriterConfig({ TESSERA_IDENTITY_RULES: '{"rules":{"email":{"priority":9,"limit":2}}}' });
    expect(ruleFor(cfg.identity, 'email')).toEqual({ priority: 9, limit: 2 });
  });
  it.each([['resolved'], ['kafka']])('refuses TESSERA_WRITER_EVENTS=%s (retired: the writer reads the touchpoints), with the other problems', (value) => {
    try {
      parseWriterConfig({ TESSERA_WRITER_EVENTS: value, TESSERA_WRITER_FLUSH_MS: 'soon' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems.map((p) => p.split(':')[0])).toEqual(['TESSERA_WRITER_EVENTS', 'TESSERA_WRITER_FLUSH_MS']);
      expect(problems[0]).toContain('docs/warehouse-writer.md');
    }
    expect(() => parseWriterConfig({ TESSERA_WRITER_EVENTS: value })).toThrow(ConfigError);
  });
  it('accepts TESSERA_WRITER_EVENTS=touchpoints, what it does anyway', () => {
    expect(parseWriterConfig({ TESSERA_WRITER_EVENTS: 'touchpoints' })).toMatchObject({ TESSERA_WRITER_BATCH_ROWS: 20_000 });
  });
  it('reads the privacy key with the one loader, and does not start without one', () => {
    expect(parseWriterConfig({}).privacyKey).toEqual(Buffer.alloc(32, 0xab));
    expect(() => parseWith({ TESSERA_PRIVACY_HASH_KEY_FILE: '/nonexistent/privacy-hash.key' })).toThrow(/TESSERA_PRIVACY_HASH_KEY_FILE: cannot read/);
    expect(() => parseWith({ TESSERA_PRIVACY_HASH_KEY: 'abcd' })).toThrow(/TESSERA_PRIVACY_HASH_KEY: must be at least 32 bytes/);
  });
  it('names every bad variable at once', () => {
    try {
      parseWriterConfig({ TESSERA_WRITER_BATCH_ROWS: '0', TESSERA_WRITER_FLUSH_MS: 'soon', TESSERA_WRITER_SESSION_TIMEOUT_MS: '10' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['TESSERA_WRITER_BATCH_ROWS', 'TESSERA_WRITER_FLUSH_MS', 'TESSERA_WRITER_SESSION_TIMEOUT_MS']);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv } from './config.ts';
import { ConfigError } from './errors.ts';

describe('parseEnv', () => {
  it('fills defaults', () => {
    const c = parseEnv(commonEnv, {});
    // The local stack's ports (infra/local) decide the default addresses.
    expect(c.TESSERA_KAFKA_BROKERS).toEqual([`127.0.0.1:${process.env.KAFKA_PORT || 9092}`]);
    expect(c.TESSERA_CLICKHOUSE_URL).toBe(`http://127.0.0.1:${process.env.CLICKHOUSE_HTTP_PORT || 8123}`);
    expect(c.TESSERA_TOPIC_PREFIX).toBe('tessera.');
    expect(c.TESSERA_CLICKHOUSE_DATABASE).toBe('tessera');
  });

  it('splits broker lists', () => {
    expect(parseEnv(commonEnv, { TESSERA_KAFKA_BROKERS: 'a:1, b:2' }).TESSERA_KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv(commonEnv, { TESSERA_TOPIC_PREFIX: '' }).TESSERA_TOPIC_PREFIX).toBe('tessera.');
  });

  it('lists every problem in one error', () => {
    const shape = { ...commonEnv, BATCH: intFromEnv(10, 1) };
    let err: unknown;
    try {
      parseEnv(shape, { TESSERA_KAFKA_BROKERS: 'nohost', TESSERA_CLICKHOUSE_DATABASE: 'bad-name', BATCH: '0', TESSERA_REGISTRY_URL: 'not a url' });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const v of ['TESSERA_KAFKA_BROKERS', 'TESSERA_CLICKHOUSE_DATABASE', 'BATCH', 'TESSERA_REGISTRY_URL']) expect(problems).toContain(v);
    expect((err as ConfigError).code).toBe('TSR_ERR_CONFIG');
  });

  it('coerces numbers', () => {
    expect(parseEnv({ N: z.coerce.number().int() }, { N: '12' }).N).toBe(12);
  });
});

// Consent through the real collector and Kafka: Segment's context.consent.categoryPreferences becomes the touchpoint's
// consent under the operator's category map; malformed consent, unknown categories and a consent update without
// preferences are answered 400 with the field, and nothing of those calls reaches Kafka.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import { startCollector, type RunningCollector } from '../../services/collector/collector.ts';
import { collectorConfig } from '../../services/collector/config.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { createLogger } from '../../services/kit/log.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let c: RunningCollector;
let consumer: Consumer;
const received = new Map<string, Touchpoint>();

beforeAll(async () => {
  s = await isolatedStack('collectorconsent');
  c = await startCollector(collectorConfig({
    ...s.env, TESSERA_COLLECTOR_HOST: '127.0.0.1', TESSERA_COLLECTOR_PORT: '0', TESSERA_LOG_LEVEL: 'warn', TESSERA_COLLECTOR_WRITE_KEYS: 'wk',
    // OneTrust-style category ids.
    TESSERA_CONSENT_CATEGORIES: '{"C0001": [], "C0002": ["analytics"], "C0003": ["personalisation"], "C0004": ["advertising"]}',
  }), { log: createLogger('collector', 'warn') });
  await c.ready;
  consumer = s.kafka.consumer({ groupId: `${s.prefix}consent-test` });
  await consumer.connect();
  await consumer.subscribe({ topics: [s.topics.touchpoints], fromBeginning: true });
  void consumer.run({
    eachMessage: async ({ message }) => {
      const d = await s.codec.decode<Touchpoint>('touchpoint', message.value);
      if (d.ok) received.set(d.value.messageId, d.value);
    },
  });
});
afterAll(async () => {
  await consumer?.disconnect();
  await c?.close();
  await s?.close();
});

const post = (path: string, body: unknown) => fetch(`${c.url}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('wk:').toString('base64')}` }, body: JSON.stringify(body),
});

describe('consent through the collector', () => {
  it('carries consent read through the category map; a call without consent says nothing', async () => {
    expect((await post('/v1/track', { messageId: 'c-1', anonymousId: 'a1', event: 'Viewed', context: { consent: { categoryPreferences: { C0001: true, C0002: true, C0004: false } } } })).status).toBe(200);
    expect((await post('/v1/track', { messageId: 'c-2', anonymousId: 'a1', event: 'Segment Consent Preference Updated', context: { consent: { categoryPreferences: { C0002: false, C0003: true, C0004: true } } } })).status).toBe(200);
    expect((await post('/v1/page', { messageId: 'c-3', anonymousId: 'a1', name: 'Home' })).status).toBe(200);
    await eventually(async () => received.size, (n) => n >= 3, 'three touchpoints');
    expect(received.get('c-1')!.consent).toEqual({ advertising: false, analytics: true, personalisation: false, categories: { C0001: true, C0002: true, C0004: false } });
    expect(received.get('c-2')!.consent).toEqual({ advertising: true, analytics: false, personalisation: true, categories: { C0002: false, C0003: true, C0004: true } });
    expect(received.get('c-3')!.consent).toBeNull();
  });

  it.each([
    ['a value that is not a boolean', { event: 'Viewed', context: { consent: { categoryPreferences: { C0004: 'yes' } } } }, 'context.consent.categoryPreferences.C0004: expected true or false, got "yes"'],
    ['an unknown category', { event: 'Viewed', context: { consent: { categoryPreferences: { Advertising: true } } } }, 'context.consent.categoryPreferences.Advertising: unknown consent category; the known ones are C0001, C0002, C0003, C0004'],
    ['preferences that are not an object', { event: 'Viewed', context: { consent: { categoryPreferences: 'all' } } }, 'context.consent.categoryPreferences: expected an object'],
    ['a consent update without preferences', { event: 'Segment Consent Preference Updated' }, 'context.consent.categoryPreferences: missing'],
  ])('%s → 400 with the field, nothing published', async (_name, call, problem) => {
    const messageId = `bad-${received.size}-${Math.abs(problem.length)}`;
    const res = await post('/v1/track', { messageId, anonymousId: 'a2', ...call });
    expect(res.status).toBe(400);
    const body = await res.json() as { code: string; problems?: string[]; message?: string };
    expect(body.code).toBe('TSR_COLLECT_INVALID_EVENT');
    expect(body.problems).toEqual([expect.stringContaining(problem)]);
    // A later good call arrives; the refused one never does.
    expect((await post('/v1/track', { messageId: `${messageId}-after`, anonymousId: 'a2', event: 'Viewed' })).status).toBe(200);
    await eventually(async () => received.has(`${messageId}-after`), (x) => x, 'the call after');
    expect(received.has(messageId)).toBe(false);
  });
});

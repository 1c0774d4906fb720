import { describe, expect, it } from 'vitest';
import { avroType, invalidPaths } from '../kit/avro.ts';
import type { TouchpointType } from './touchpoint.ts';
import { segmentCall } from '../../test/support/segment.ts';
import { normaliseCall, WARNING_PROPERTY, type NormaliseOptions } from './normalise.ts';

const RECEIVED = Date.parse('2026-03-01T12:00:10.000Z');
const opts = (o: Partial<NormaliseOptions> = {}): NormaliseOptions => ({
  receivedAt: RECEIVED, channel: null, defaultSource: 'server', maxFutureMs: 24 * 3_600_000, ...o,
});

const ok = (raw: unknown, type: TouchpointType | null = null, o: Partial<NormaliseOptions> = {}) => {
  const n = normaliseCall(raw, type, opts(o));
  if (!n.ok) throw new Error(`expected a touchpoint, got problems: ${n.problems.join('; ')}`);
  return n.touchpoint;
};
const problems = (raw: unknown, type: TouchpointType | null = null): string[] => {
  const n = normaliseCall(raw, type, opts());
  if (n.ok) throw new Error('expected problems, got a touchpoint');
  expect(n.code).toBe('TSR_COLLECT_INVALID_EVENT');
  return n.problems;
};

describe('normaliseCall: validation names what is wrong', () => {
  it.each<[string, unknown, TouchpointType | null, string]>([
    ['no userId nor anonymousId', segmentCall({ anonymousId: undefined }), null, 'userId: missing: every call needs a userId or an anonymousId'],
    ['blank ids count as missing', segmentCall({ anonymousId: '  ', userId: '' }), null, 'userId: missing: every call needs a userId or an anonymousId'],
    ['userId of the wrong type', segmentCall({ userId: { id: 1 } }), null, 'userId: expected a string, got object'],
    ['unparseable timestamp', segmentCall({ timestamp: 'yesterday' }), null, 'timestamp: not an ISO-8601 date-time: "yesterday"'],
    ['impossible date', segmentCall({ timestamp: '2026-02-31T10:00:00Z' }), null, 'timestamp: not a valid calendar date-time'],
    ['epoch seconds', segmentCall({ timestamp: 1767225600 }), null, 'timestamp: 1767225600 looks like epoch seconds'],
    ['bad sentAt', segmentCall({ sentAt: true }), null, 'sentAt: expected an ISO-8601 string, got boolean'],
    ['unknown type', segmentCall({ type: 'purchase' }), null, 'type: unknown call type "purchase"; expected one of identify, track, page, screen, alias, group'],
    ['missing type in a batch item', segmentCall({ type: undefined }), null, 'type: missing; expected one of'],
    ['track without event', segmentCall({ event: undefined }), null, 'event: missing: a track call needs an event name'],
    ['alias without previousId', segmentCall({ type: 'alias', userId: 'u1' }), null, 'previousId: missing: an alias call needs the previousId'],
    ['alias without userId', segmentCall({ type: 'alias', previousId: 'a1' }), null, 'userId: missing: an alias call needs a userId'],
    ['group without groupId', segmentCall({ type: 'group' }), null, 'groupId: missing: a group call needs a groupId'],
    ['traits not an object', segmentCall({ type: 'identify', traits: 'vip' }), null, 'traits: expected an object, got string'],
    ['properties an array', segmentCall({ properties: [1, 2] }), null, 'properties: expected an object, got array'],
    ['context not an object', segmentCall({ context: 'web' }), null, 'context: expected an object, got string'],
    ['nested context field of the wrong type', segmentCall({ context: { page: { url: ['x'] } } }), null, 'context.page.url: expected a string, got array'],
    ['external id without type', segmentCall({ context: { externalIds: [{ id: 'c1' }] } }), null, 'context.externalIds[0].type: missing'],
    ['external ids not a list', segmentCall({ externalIds: { crm_id: 'c1' } }), null, 'externalIds: expected an array of {type, id}, got object'],
    ['body not an object', [segmentCall()], 'track', '(call): expected a JSON object, got array'],
  ])('%s', (_name, raw, type, expected) => {
    expect(problems(raw, type).join('\n')).toContain(expected);
  });

  it('lists every problem of a call at once', () => {
    expect(problems(segmentCall({ anonymousId: undefined, event: undefined, timestamp: 'nope' }))).toHaveLength(3);
  });

  it('the endpoint decides the type, whatever the body says', () => {
    expect(ok(segmentCall({ type: 'page', name: 'Home' }), 'identify').type).toBe('identify');
  });
});

describe('normaliseCall: field mapping', () => {
  it('maps every spec field of a full analytics.js call', () => {
    const t = ok({
      type: 'page',
      name: 'Pricing',
      category: 'Docs',
      messageId: 'ajs-1',
      userId: 42,
      anonymousId: 'a-1',
      timestamp: '2026-03-01T12:00:00.000Z',
      sentAt: '2026-03-01T12:00:00.000Z',
      integrations: { All: false },
      traits: { ignoredOnPage: true },
      properties: { path: '/pricing', revenue: 10, tags: ['a', 'b'], dims: { w: 1 }, none: null, yes: true },
      context: {
        ip: '203.0.113.7', userAgent: 'Mozilla/5.0', locale: 'de-DE', timezone: 'Europe/Berlin',
        page: { path: '/pricing', referrer: 'https://google.com', search: '?q=1', title: 'Pricing', url: 'https://x.test/pricing?q=1' },
        campaign: { name: 'spring', source: 'newsletter', medium: 'email', term: 'crm', content: 'hero' },
        device: { id: 'd-1', advertisingId: 'ad-1', type: 'ios', model: 'iPhone15,2', manufacturer: 'Apple' },
        os: { name: 'iOS', version: '17.2' },
        app: { name: 'Shop', version: '3.1', build: 301 },
        location: { country: 'DE', region: 'BE', city: 'Berlin' },
        traits: { email: 'Ann@Example.com', address: { city: 'Berlin' } },
        externalIds: [{ id: 'c-9', type: 'crm_id', collection: 'users', encoding: 'none' }],
        library: { name: 'analytics.js', version: 'next-1.70.0' },
        screen: { width: 1920 },
      },
    }, null, { ip: '10.0.0.1' });
    expect(t).toEqual({
      messageId: 'ajs-1', type: 'page', event: null, name: 'Pricing', userId: '42', anonymousId: 'a-1', previousId: null, groupId: null,
      timestamp: RECEIVED, sentAt: Date.parse('2026-03-01T12:00:00.000Z'), receivedAt: RECEIVED, source: 'web',
      context: {
        ip: '203.0.113.7', userAgent: 'Mozilla/5.0', locale: 'de-DE', timezone: 'Europe/Berlin',
        page: { path: '/pricing', referrer: 'https://google.com', search: '?q=1', title: 'Pricing', url: 'https://x.test/pricing?q=1' },
        campaign: { name: 'spring', source: 'newsletter', medium: 'email', term: 'crm', content: 'hero' },
        device: { id: 'd-1', advertisingId: 'ad-1', type: 'ios', model: 'iPhone15,2', manufacturer: 'Apple' },
        os: { name: 'iOS', version: '17.2' },
        app: { name: 'Shop', version: '3.1', build: '301' },
        location: { country: 'DE', region: 'BE', city: 'Berlin' },
        traits: { email: 'Ann@Example.com', address: '{"city":"Berlin"}' },
      },
      traits: { ignoredOnPage: true },
      properties: { path: '/pricing', revenue: 10, tags: '["a","b"]', dims: '{"w":1}', none: null, yes: true, category: 'Docs' },
      externalIds: [{ type: 'crm_id', id: 'c-9', collection: 'users' }],
    });
    expect(invalidPaths(avroType('touchpoint'), t)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, Partial<Record<string, unknown>>]>([
    ['identify keeps traits', { type: 'identify', userId: 'u1', traits: { email: 'a@b.c', age: 30 } }, { type: 'identify', traits: { email: 'a@b.c', age: 30 }, event: null }],
    ['track keeps event and properties', { type: 'track', anonymousId: 'a', event: 'Signed Up', properties: { plan: 'pro' } }, { event: 'Signed Up', properties: { plan: 'pro' } }],
    ['screen keeps name', { type: 'screen', anonymousId: 'a', name: 'Home' }, { name: 'Home', event: null }],
    ['alias keeps previousId', { type: 'alias', userId: 'u1', previousId: 'anon-7' }, { previousId: 'anon-7', userId: 'u1' }],
    ['group keeps groupId and traits', { type: 'group', userId: 'u1', groupId: 'acme', traits: { employees: 50 } }, { groupId: 'acme', traits: { employees: 50 } }],
    ['top-level externalIds', { type: 'identify', userId: 'u1', externalIds: [{ type: 'crm_id', id: 77 }] }, { externalIds: [{ type: 'crm_id', id: '77', collection: null }] }],
    ['no context: peer ip only', { type: 'track', userId: 'u', event: 'e' }, { context: expect.objectContaining({ ip: '10.0.0.1', page: null }) }],
  ])('%s', (_name, raw, expected) => {
    expect(ok({ messageId: 'm', timestamp: '2026-03-01T12:00:10Z', ...raw }, null, { ip: '10.0.0.1' })).toMatchObject(expected);
  });

  it('merges a batch-level context under the call\'s own', () => {
    const t = ok(segmentCall({ context: { locale: 'fr-FR' } }), null, { batchContext: { locale: 'en-US', timezone: 'UTC', library: { name: 'analytics-python' } } });
    expect(t.context).toMatchObject({ locale: 'fr-FR', timezone: 'UTC' });
  });
});

describe('normaliseCall: event time', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each<[string, Record<string, unknown>, NormaliseOptions['batchSentAt'], number, boolean]>([
    ['no timestamp: received time', { timestamp: undefined }, undefined, RECEIVED, false],
    ['no sentAt: client time as is', { timestamp: '2026-03-01T11:00:00Z' }, undefined, at('2026-03-01T11:00:00Z'), false],
    ['device clock 1 h fast: corrected', { timestamp: '2026-03-01T13:00:00Z', sentAt: '2026-03-01T13:00:05Z' }, undefined, RECEIVED - 5_000, false],
    ['device clock 2 days slow: corrected', { timestamp: '2026-02-27T12:00:00Z', sentAt: '2026-02-27T12:00:07Z' }, undefined, RECEIVED - 7_000, false],
    ['batch-level sentAt (analytics-node)', { timestamp: '2026-03-01T13:00:00Z' }, '2026-03-01T13:00:05Z', RECEIVED - 5_000, false],
    ['RudderStack originalTimestamp', { timestamp: undefined, originalTimestamp: '2026-03-01T12:00:00Z', sentAt: '2026-03-01T12:00:01Z' }, undefined, RECEIVED - 1_000, false],
    ['offset zone', { timestamp: '2026-03-01T13:00:00+01:00' }, undefined, at('2026-03-01T12:00:00Z'), false],
    ['no zone reads as UTC', { timestamp: '2026-03-01T12:00:00' }, undefined, at('2026-03-01T12:00:00Z'), false],
    ['epoch milliseconds', { timestamp: at('2026-03-01T11:59:00Z') }, undefined, at('2026-03-01T11:59:00Z'), false],
    ['23 h ahead: kept', { timestamp: '2026-03-02T11:00:00Z' }, undefined, at('2026-03-02T11:00:00Z'), false],
    ['2 days ahead: clamped with a warning', { timestamp: '2026-03-03T12:00:00Z' }, undefined, RECEIVED, true],
    ['ahead after correction: clamped', { timestamp: '2030-01-01T00:00:00Z', sentAt: '2026-03-01T12:00:00Z' }, undefined, RECEIVED, true],
  ])('%s', (_name, fields, batchSentAt, expected, warned) => {
    const t = ok(segmentCall(fields), null, { batchSentAt });
    expect(t.timestamp).toBe(expected);
    expect(t.receivedAt).toBe(RECEIVED);
    if (warned) expect(t.properties[WARNING_PROPERTY]).toMatch(/was more than 24 h after receivedAt; clamped to receivedAt/);
    else expect(t.properties[WARNING_PROPERTY]).toBeUndefined();
  });
});

describe('normaliseCall: source', () => {
  it.each<[string, string | null, Record<string, unknown> | undefined, string]>([
    ['write key channel wins', 'crm', { library: { name: 'analytics.js' } }, 'crm'],
    ['analytics.js', null, { library: { name: 'analytics.js' } }, 'web'],
    ['RudderStack JS', null, { library: { name: 'RudderLabs JavaScript SDK' } }, 'web'],
    ['Jitsu', null, { library: { name: '@jitsu/js' } }, 'web'],
    ['analytics-swift', null, { library: { name: 'analytics-swift' } }, 'ios'],
    ['analytics-kotlin', null, { library: { name: 'analytics-kotlin' } }, 'android'],
    ['RudderStack Android', null, { library: { name: 'com.rudderstack.android.sdk.core' } }, 'android'],
    ['react-native on Android', null, { library: { name: '@segment/analytics-react-native' }, os: { name: 'Android' } }, 'android'],
    ['analytics-node', null, { library: { name: '@segment/analytics-node' } }, 'server'],
    ['analytics-python', null, { library: { name: 'analytics-python' } }, 'server'],
    ['analytics-java', null, { library: { name: 'analytics-java' } }, 'server'],
    ['unknown library: default', null, { library: { name: 'homegrown' } }, 'server'],
    ['no context: default', null, undefined, 'server'],
  ])('%s', (_name, channel, context, expected) => {
    expect(ok(segmentCall({ context }), null, { channel }).source).toBe(expected);
  });
});

describe('normaliseCall: messageId', () => {
  const noId = (o: Record<string, unknown> = {}) => segmentCall({ messageId: undefined, anonymousId: 'a-1', ...o });

  it('keeps the SDK\'s messageId', () => expect(ok(segmentCall({ messageId: 'keep-me' })).messageId).toBe('keep-me'));

  it('derives a missing one from the content, the same on a retry with a new sentAt', () => {
    const first = ok(noId({ sentAt: '2026-03-01T12:00:00Z' })).messageId;
    const retry = ok(noId({ sentAt: '2026-03-01T12:00:09Z' }), null, { receivedAt: RECEIVED + 60_000 }).messageId;
    expect(first).toMatch(/^tsr-[0-9a-f]{32}$/);
    expect(retry).toBe(first);
  });

  it('is independent of key order and differs with content or scope', () => {
    const a = ok({ type: 'track', event: 'x', anonymousId: 'a', properties: { p: 1, q: 2 } }).messageId;
    expect(ok({ properties: { q: 2, p: 1 }, anonymousId: 'a', event: 'x', type: 'track' }).messageId).toBe(a);
    expect(ok({ type: 'track', event: 'y', anonymousId: 'a', properties: { p: 1, q: 2 } }).messageId).not.toBe(a);
    expect(ok({ type: 'track', event: 'x', anonymousId: 'a', properties: { p: 1, q: 2 } }, null, { scope: 'key2' }).messageId).not.toBe(a);
  });
});

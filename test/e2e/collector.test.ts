// The collector in-process against the real Kafka and registry: a real Segment SDK, raw HTTP edge cases, Kafka down.
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Analytics } from '@segment/analytics-node';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../services/collector/collector.ts';
import { collectorConfig } from '../../services/collector/config.ts';
import { createLogger } from '../../services/kit/log.ts';
import type { DeadLetterRecord } from '../../services/kit/records.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { segmentCall } from '../support/segment.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let c: RunningCollector;
let consumer: Consumer;
const received = new Map<string, { value: Touchpoint; key: string | null }>();
const dead: DeadLetterRecord[] = [];

const env = (extra: Record<string, string> = {}) => ({
  ...s.env, TESSERA_COLLECTOR_HOST: '127.0.0.1', TESSERA_COLLECTOR_PORT: '0', TESSERA_LOG_LEVEL: 'warn',
  TESSERA_COLLECTOR_WRITE_KEYS: 'wk-server,wk-web:web', ...extra,
});

beforeAll(async () => {
  s = await isolatedStack('collector');
  c = await startCollector(collectorConfig(env()), { log: createLogger('collector', 'warn') });
  await c.ready;
  consumer = s.kafka.consumer({ groupId: `${s.prefix}collector-test` });
  await consumer.connect();
  await consumer.subscribe({ topics: [s.topics.touchpoints, s.topics.dlq], fromBeginning: true });
  void consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === s.topics.dlq) {
        const d = await s.codec.decode<DeadLetterRecord>('dead-letter', message.value);
        if (d.ok) dead.push(d.value);
        return;
      }
      const d = await s.codec.decode<Touchpoint>('touchpoint', message.value);
      if (!d.ok) throw new Error(d.reason);
      received.set(d.value.messageId, { value: d.value, key: message.key?.toString() ?? null });
    },
  });
});

afterAll(async () => {
  await consumer?.disconnect();
  await c?.close();
  await s?.close();
});

/** Waits until every messageId was consumed from the touchpoints topic. */
async function consumed(ids: string[], timeoutMs = 30_000): Promise<Touchpoint[]> {
  const deadline = Date.now() + timeoutMs;
  while (ids.some((id) => !received.has(id))) {
    if (Date.now() > deadline) throw new Error(`not consumed within ${timeoutMs} ms: ${ids.filter((id) => !received.has(id)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return ids.map((id) => received.get(id)!.value);
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

async function post(path: string, body: unknown, headers: Record<string, string> = { authorization: basic('wk-server') }) {
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> };
}

describe('a real Segment SDK (@segment/analytics-node) pointed at the collector', () => {
  it('delivers identify, track, page and alias with the SDK\'s messageIds', async () => {
    const analytics = new Analytics({ writeKey: 'wk-server', host: c.url, path: '/v1/batch', flushAt: 4, flushInterval: 200, maxRetries: 2 });
    const sent: Record<string, unknown>[] = [];
    const errors: unknown[] = [];
    const statuses: number[] = [];
    analytics.on('http_request', (r) => sent.push(...(JSON.parse(r.body) as { batch: Record<string, unknown>[] }).batch));
    analytics.on('http_response', (r) => statuses.push(r.status));
    analytics.on('error', (e) => errors.push(e));

    analytics.identify({ userId: 'sdk-user-1', anonymousId: 'sdk-anon-1', traits: { email: 'ann@example.com', plan: 'pro', address: { city: 'Berlin' } } });
    analytics.track({ userId: 'sdk-user-1', event: 'Order Completed', properties: { revenue: 42, currency: 'EUR', items: 3 } });
    analytics.page({ anonymousId: 'sdk-anon-1', name: 'Pricing', properties: { url: 'https://shop.test/pricing' }, context: { page: { path: '/pricing' } } });
    analytics.alias({ userId: 'sdk-user-1', previousId: 'sdk-anon-1' });
    await analytics.closeAndFlush({ timeout: 15_000 });

    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((x) => x === 200)).toBe(true);
    expect(sent).toHaveLength(4);
    const ids = sent.map((e) => e.messageId as string);
    const [identify, track, page, alias] = await consumed(ids);

    expect(identify).toMatchObject({
      messageId: ids[0], type: 'identify', userId: 'sdk-user-1', anonymousId: 'sdk-anon-1', source: 'server',
      traits: { email: 'ann@example.com', plan: 'pro', address: '{"city":"Berlin"}' },
    });
    expect(received.get(ids[0]!)!.key).toBe('sdk-anon-1');
    expect(track).toMatchObject({ type: 'track', event: 'Order Completed', userId: 'sdk-user-1', anonymousId: null, properties: { revenue: 42, currency: 'EUR', items: 3 } });
    expect(received.get(ids[1]!)!.key).toBe('sdk-user-1');
    expect(page).toMatchObject({ type: 'page', name: 'Pricing', properties: { url: 'https://shop.test/pricing' }, context: expect.objectContaining({ page: expect.objectContaining({ path: '/pricing' }) }) });
    expect(alias).toMatchObject({ type: 'alias', userId: 'sdk-user-1', previousId: 'sdk-anon-1' });
    for (const t of [identify, track, page, alias]) {
      expect(t!.receivedAt).not.toBeNull();
      expect(t!.sentAt).not.toBeNull();
      expect(Math.abs(t!.timestamp - t!.receivedAt!)).toBeLessThan(60_000);
    }
  });
});

describe('raw HTTP', () => {
  it('accepts a gzip batch, partly valid: valid calls produced, the bad one refused by index and dead-lettered', async () => {
    const batch = { batch: [segmentCall({ messageId: 'gz-1' }), segmentCall({ messageId: 'gz-bad', anonymousId: undefined }), segmentCall({ messageId: 'gz-2', type: 'identify', userId: 'u-gz', traits: { email: 'gz@example.com' } })] };
    const r = await post('/v1/batch', gzipSync(JSON.stringify(batch)), { authorization: basic('wk-server'), 'content-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, accepted: 2, rejected: [{ index: 1, messageId: 'gz-bad', code: 'TSR_COLLECT_INVALID_EVENT' }] });
    const [one, two] = await consumed(['gz-1', 'gz-2']);
    expect(one).toMatchObject({ type: 'track', source: 'web', properties: { revenue: 12.5 } });
    expect(two).toMatchObject({ type: 'identify', userId: 'u-gz', traits: { email: 'gz@example.com' } });
    expect(received.has('gz-bad')).toBe(false);
    await expect.poll(() => dead.find((d) => d.sourceTopic === 'http:/v1/batch'), { timeout: 15_000 }).toMatchObject({
      code: 'TSR_COLLECT_INVALID_EVENT', reason: expect.stringContaining('userId: missing'), service: 'collector',
    });
  });

  it('takes the write key from the body, as analytics.js does, and the channel from the key', async () => {
    const r = await post('/v1/t', { ...segmentCall({ messageId: 'body-key', context: { library: { name: 'analytics-python' } } }), writeKey: 'wk-web' }, {});
    expect(r).toMatchObject({ status: 200, body: { success: true } });
    const [t] = await consumed(['body-key']);
    expect(t).toMatchObject({ type: 'track', source: 'web' });
  });

  it('answers a CORS preflight and echoes the origin', async () => {
    const res = await fetch(`${c.url}/v1/track`, {
      method: 'OPTIONS', headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.test');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
  });

  it.each<[string, string, unknown, Record<string, string>, number, string, string]>([
    ['no write key', '/v1/track', segmentCall(), {}, 401, 'TSR_COLLECT_UNAUTHORIZED', 'missing write key'],
    ['unknown write key', '/v1/track', segmentCall(), { authorization: basic('stolen-key') }, 401, 'TSR_COLLECT_UNAUTHORIZED', 'unknown write key "stol…"'],
    ['no userId nor anonymousId', '/v1/identify', segmentCall({ anonymousId: undefined, traits: { a: 1 } }), { authorization: basic('wk-server') }, 400, 'TSR_COLLECT_INVALID_EVENT', 'userId: missing: every call needs a userId or an anonymousId'],
    ['bad timestamp', '/v1/track', segmentCall({ timestamp: '31/12/2026' }), { authorization: basic('wk-server') }, 400, 'TSR_COLLECT_INVALID_EVENT', 'timestamp: not an ISO-8601 date-time'],
    ['not JSON', '/v1/track', '{"type":', { authorization: basic('wk-server') }, 400, 'TSR_COLLECT_BAD_JSON', 'body is not valid JSON'],
    ['call over 32 KB', '/v1/track', segmentCall({ properties: { blob: 'x'.repeat(33_000) } }), { authorization: basic('wk-server') }, 413, 'TSR_COLLECT_EVENT_TOO_LARGE', '32768-byte limit'],
    ['batch over 500 KB', '/v1/batch', { batch: Array.from({ length: 20 }, () => segmentCall({ properties: { blob: 'x'.repeat(30_000) } })) }, { authorization: basic('wk-server') }, 413, 'TSR_COLLECT_BATCH_TOO_LARGE', '512000-byte limit'],
    ['unknown endpoint', '/v1/purchase', segmentCall(), { authorization: basic('wk-server') }, 404, 'TSR_COLLECT_NOT_FOUND', 'no endpoint /v1/purchase'],
  ])('%s → %i', async (_n, path, body, headers, status, code, message) => {
    const r = await post(path, body, headers);
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ success: false, code, message: expect.stringContaining(message) });
  });

  it('reports readiness and metrics', async () => {
    expect((await fetch(`${c.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/tessera_collector_requests_total\{route="\/v1\/batch",status="200"/);
    expect(metrics).toMatch(/tessera_collector_events_total\{outcome="accepted",reason="ok"/);
    expect(metrics).toMatch(/tessera_collector_events_total\{outcome="rejected",reason="TSR_COLLECT_INVALID_EVENT"/);
    expect(metrics).toContain('tessera_collector_produce_seconds_bucket');
  });
});

describe('hostile bodies from a client with a valid write key (issue 10)', () => {
  /** A JSON text nested `levels` deep, built as text: JSON.stringify itself cannot build it without overflowing. */
  const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const rawPost = async (path: string, text: string) => {
    const res = await fetch(`${c.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic('wk-server') }, body: text });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };

  it('a call nested 4,110 levels deep is refused alone; the valid calls of its batch reach Kafka', async () => {
    const good = [segmentCall({ messageId: 'deep-ok-1' }), segmentCall({ messageId: 'deep-ok-2' })];
    const deepCall = JSON.stringify(segmentCall({ messageId: 'deep-bad', properties: { p: 0 } })).replace('{"p":0}', deepJson(4_110));
    expect(Buffer.byteLength(deepCall)).toBeLessThan(32 * 1024);
    const r = await rawPost('/v1/batch', `{"batch":[${JSON.stringify(good[0])},${deepCall},${JSON.stringify(good[1])}]}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      success: true, accepted: 2,
      rejected: [{ index: 1, messageId: 'deep-bad', code: 'TSR_COLLECT_INVALID_EVENT', problems: [expect.stringMatching(/^properties.*nested deeper than 64 levels/)] }],
    });
    await consumed(['deep-ok-1', 'deep-ok-2']);
    expect(received.has('deep-bad')).toBe(false);
    await expect.poll(() => dead.find((d) => d.value?.toString().includes('"messageId":"deep-bad"')), { timeout: 15_000 }).toMatchObject({ code: 'TSR_COLLECT_INVALID_EVENT', reason: expect.stringContaining('nested deeper than 64 levels') });
  });

  it('a body of 500 KB of brackets is a 400 with a reason, not a 500', async () => {
    const r = await rawPost('/v1/batch', `{"batch":[${'['.repeat(250_000)}${']'.repeat(250_000)}]}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, code: 'TSR_COLLECT_INVALID_BATCH', rejected: [{ index: 0, problems: [expect.stringContaining('nested deeper than 64 levels')] }] });
  });

  it('large numeric ids keep their exact digits: two ids differing beyond 2^53 stay two identifiers', async () => {
    const text = `{"batch":[
      {"type":"identify","messageId":"big-1","userId":12345678901234567891,"traits":{"n":98765432109876543210,"small":7}},
      {"type":"identify","messageId":"big-2","userId":12345678901234567892,"externalIds":[{"type":"crm_id","id":12345678901234567893}],"context":{"device":{"id":12345678901234567894}}}
    ]}`;
    const r = await rawPost('/v1/batch', text);
    expect(r).toMatchObject({ status: 200, body: { success: true } });
    const [one, two] = await consumed(['big-1', 'big-2']);
    expect(one).toMatchObject({ userId: '12345678901234567891', traits: { n: '98765432109876543210', small: 7 } });
    expect(two).toMatchObject({ userId: '12345678901234567892', externalIds: [{ type: 'crm_id', id: '12345678901234567893' }], context: expect.objectContaining({ device: expect.objectContaining({ id: '12345678901234567894' }) }) });
  });

  it.each<[string, string, Record<string, unknown>, number, string]>([
    ['a 10,000-character messageId', '/v1/track', segmentCall({ messageId: 'm'.repeat(10_000) }), 400, 'messageId: 10000 characters, over the 256-character limit'],
    ['a timestamp before 2000', '/v1/track', segmentCall({ timestamp: '1999-12-31T23:59:59Z' }), 400, 'timestamp: event time 1999-12-31T23:59:59.000Z is outside 2000-01-01..2100-01-01'],
    ['a 300-character userId', '/v1/identify', segmentCall({ userId: 'u'.repeat(300) }), 400, 'userId: 300 characters, over the 256-character limit for an identifier'],
    ['__proto__ as a trait name', '/v1/identify', { type: 'identify', userId: 'p1', traits: JSON.parse('{"__proto__":{"email":"victim@example.com"}}') }, 400, 'traits.__proto__: key "__proto__" is not allowed'],
  ])('%s is refused with the reason', async (_n, path, call, status, reason) => {
    const r = await post(path, call);
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ success: false, problems: expect.arrayContaining([expect.stringContaining(reason)]) });
  });

  it('prototype keys elsewhere are ordinary keys: the call is produced with them as data', async () => {
    const text = '{"type":"identify","messageId":"proto-ok","userId":"p2","__proto__":{"userId":"victim"},"constructor":"x",'
      + '"traits":{"constructor":"c","prototype":"p","toString":"t","nested":{"__proto__":{"a":1}}},'
      + '"externalIds":[{"type":"constructor","id":"c-1"},{"type":"prototype","id":"p-1"}]}';
    const r = await rawPost('/v1/identify', text);
    expect(r).toMatchObject({ status: 200, body: { success: true } });
    const [t] = await consumed(['proto-ok']);
    expect(t).toMatchObject({
      userId: 'p2', traits: { constructor: 'c', prototype: 'p', toString: 't', nested: '{"__proto__":{"a":1}}' },
      externalIds: [{ type: 'constructor', id: 'c-1', collection: null }, { type: 'prototype', id: 'p-1', collection: null }],
    });
  });

  it('no hostile body is answered 500', async () => {
    const bodies = [
      deepJson(100_000),
      `{"batch":[${deepJson(5_000)}]}`,
      `{"batch":[${JSON.stringify(segmentCall())}],"context":${deepJson(5_000)}}`,
      `{"type":"track","event":"e","userId":"u","timestamp":-8640000000000000,"sentAt":8640000000000000}`,
      `{"type":"track","event":"e","userId":1e400,"properties":{"x":-1e999}}`,
      `{"type":"track","event":"\ud800","anonymousId":"a\udc00b","properties":{"\ud800":"\u0000"}}`,
      '{"__proto__":null,"type":"track"}',
    ];
    for (const [i, text] of bodies.entries()) {
      for (const path of ['/v1/track', '/v1/batch']) {
        const r = await rawPost(path, text);
        expect.soft(r.status, `body ${i} on ${path}: ${JSON.stringify(r.body).slice(0, 200)}`).toBeLessThan(500);
        if (r.status >= 400) expect.soft(r.body.message, `body ${i} on ${path}`).toEqual(expect.any(String));
      }
    }
  });
});

describe('Kafka unavailable', () => {
  it('answers 503 with Retry-After at once instead of hanging or buffering', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => { const a = srv.address(); srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0)); });
    });
    const down = await startCollector(collectorConfig(env({ TESSERA_KAFKA_BROKERS: `127.0.0.1:${port}` })), { log: createLogger('collector', 'silent') });
    try {
      // A hang fails here rather than at the test timeout.
      const r = await fetch(`${down.url}/v1/track`, {
        method: 'POST', headers: { authorization: basic('wk-server') }, body: JSON.stringify(segmentCall()), signal: AbortSignal.timeout(10_000),
      });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(await r.json()).toMatchObject({ success: false, code: 'TSR_COLLECT_KAFKA_UNAVAILABLE' });
      expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
    } finally {
      await down.close();
    }
  });
});

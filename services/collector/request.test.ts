import { describe, expect, it } from 'vitest';
import { segmentCall } from '../../test/support/segment.ts';
import type { NormaliseOptions } from '../contract/normalise.ts';
import { LIMITS } from '../contract/limits.ts';
import { planRequest, ROUTES, successBody, type Route } from './request.ts';

const opts: NormaliseOptions = { receivedAt: Date.parse('2026-03-01T12:00:00Z'), channel: null, defaultSource: 'server', maxFutureMs: 86_400_000 };
const batch = ROUTES.get('/v1/batch')!;
const plan = (route: Route, body: unknown) => planRequest(route, body, Buffer.byteLength(JSON.stringify(body)), opts);

describe('routes', () => {
  it.each([
    ['/v1/track', 'track'], ['/v1/t', 'track'], ['/v1/identify', 'identify'], ['/v1/i', 'identify'], ['/v1/page', 'page'], ['/v1/p', 'page'],
    ['/v1/screen', 'screen'], ['/v1/s', 'screen'], ['/v1/alias', 'alias'], ['/v1/a', 'alias'], ['/v1/group', 'group'], ['/v1/g', 'group'],
  ])('%s is a %s call', (path, type) => expect(ROUTES.get(path)).toEqual({ kind: 'call', type }));
  it.each(['/v1/batch', '/v1/import'])('%s is a batch', (path) => expect(ROUTES.get(path)).toEqual({ kind: 'batch' }));
});

describe('planRequest: size limits', () => {
  const big = (bytes: number) => 'x'.repeat(bytes);
  it.each<[string, Route, unknown, number, string]>([
    ['call over 32 KB', ROUTES.get('/v1/track')!, segmentCall({ properties: { blob: big(LIMITS.callBytes) } }), 413, 'TSR_COLLECT_EVENT_TOO_LARGE'],
    ['batch over 500 KB', batch, { batch: Array.from({ length: 20 }, () => segmentCall({ properties: { blob: big(30_000) } })) }, 413, 'TSR_COLLECT_BATCH_TOO_LARGE'],
  ])('%s → %i', (_n, route, body, status, code) => {
    const p = plan(route, body);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.answer).toMatchObject({ status, code });
  });

  it('a call just under 32 KB is accepted', () => {
    const call = segmentCall({ properties: { blob: '' } });
    (call.properties as Record<string, string>).blob = big(LIMITS.callBytes - Buffer.byteLength(JSON.stringify(call)));
    expect(Buffer.byteLength(JSON.stringify(call))).toBe(LIMITS.callBytes);
    expect(plan(ROUTES.get('/v1/track')!, call).ok).toBe(true);
  });

  it('an over-size call inside a batch is refused alone', () => {
    const p = plan(batch, { batch: [segmentCall({ messageId: 'fat', properties: { blob: big(40_000) } }), segmentCall()] });
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(p.accepted).toHaveLength(1);
      expect(p.refused).toMatchObject([{ index: 0, messageId: 'fat', code: 'TSR_COLLECT_EVENT_TOO_LARGE' }]);
    }
  });
});

describe('planRequest: single calls', () => {
  it('a valid call is accepted with the endpoint\'s type', () => {
    const p = plan(ROUTES.get('/v1/identify')!, segmentCall({ type: undefined, userId: 'u1', traits: { email: 'a@b.c' } }));
    expect(p.ok && p.accepted.map((t) => [t.type, t.userId])).toEqual([['identify', 'u1']]);
  });
  it('an invalid call is a 400 naming the problem, and is kept for the DLQ', () => {
    const call = segmentCall({ anonymousId: undefined, messageId: 'm-x' });
    const p = plan(ROUTES.get('/v1/track')!, call);
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.answer.status).toBe(400);
      expect(p.answer.message).toContain('userId: missing: every call needs a userId or an anonymousId');
      expect(p.refused).toMatchObject([{ index: 0, messageId: 'm-x', original: call }]);
    }
  });
});

describe('planRequest: batches (valid calls go through, invalid ones are refused one by one)', () => {
  it.each<[string, unknown, { ok: boolean; accepted?: number; refused?: number[]; problem?: string }]>([
    ['all valid', { batch: [segmentCall(), segmentCall()] }, { ok: true, accepted: 2, refused: [] }],
    ['one bad of three', { batch: [segmentCall(), segmentCall({ userId: undefined, anonymousId: undefined }), segmentCall()] }, { ok: true, accepted: 2, refused: [1] }],
    ['item not an object', { batch: [segmentCall(), 'oops'] }, { ok: true, accepted: 1, refused: [1] }],
    ['all bad: 400', { batch: [segmentCall({ type: 'nope' }), segmentCall({ event: undefined })] }, { ok: false, refused: [0, 1] }],
    ['batch missing', { calls: [] }, { ok: false, problem: 'batch: missing; expected an array of calls' }],
    ['batch not an array', { batch: {} }, { ok: false, problem: 'batch: expected an array of calls, got object' }],
    ['empty batch', { batch: [] }, { ok: false, problem: 'batch: empty' }],
    ['body an array', [segmentCall()], { ok: false, problem: '(body): expected a JSON object' }],
  ])('%s', (_n, body, e) => {
    const p = plan(batch, body);
    expect(p.ok).toBe(e.ok);
    if (e.accepted !== undefined && p.ok) expect(p.accepted).toHaveLength(e.accepted);
    if (e.refused) expect(p.refused.map((r) => r.index)).toEqual(e.refused);
    if (e.problem && !p.ok) expect(p.answer).toMatchObject({ status: 400, code: 'TSR_COLLECT_INVALID_BATCH', message: expect.stringContaining(e.problem) });
  });

  it('applies the batch\'s sentAt and context to every call', () => {
    const p = plan(batch, {
      sentAt: '2026-03-01T13:00:00Z', context: { library: { name: 'analytics-python' } },
      batch: [segmentCall({ timestamp: '2026-03-01T12:59:00Z', context: undefined })],
    });
    expect(p.ok && p.accepted[0]).toMatchObject({ timestamp: opts.receivedAt - 60_000, source: 'server' });
  });

  it('the 200 body lists what was refused', () => {
    const p = plan(batch, { batch: [segmentCall(), segmentCall({ messageId: 'bad', timestamp: 'x' })] });
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(successBody(p.accepted.length, p.refused)).toEqual({
        success: true, accepted: 1,
        rejected: [{ index: 1, messageId: 'bad', code: 'TSR_COLLECT_INVALID_EVENT', problems: ['timestamp: not an ISO-8601 date-time: "x"'] }],
      });
    }
    expect(successBody(3, [])).toEqual({ success: true });
  });
});

describe('planRequest: hostile bodies (issue 10)', () => {
  const deep = (levels: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  };

  it.each(['/constructor', '__proto__', 'toString', '/v1/hasOwnProperty'])('%s is no route', (path) => {
    expect(ROUTES.get(path)).toBeUndefined();
  });

  it('a call nested 4,110 levels deep is refused alone; the batch\'s valid calls go through', () => {
    // Measured by hand: JSON.stringify of the body is what overflowed.
    const p = planRequest(batch, { batch: [segmentCall(), segmentCall({ messageId: 'deep', properties: { p: deep(4_110) } }), segmentCall()] }, 30_000, opts);
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(p.accepted).toHaveLength(2);
      expect(p.refused).toMatchObject([{ index: 1, messageId: 'deep', code: 'TSR_COLLECT_INVALID_EVENT', problems: [expect.stringMatching(/^properties\.p\.a\.a…: nested deeper than 64 levels/)] }]);
    }
  });

  it('a single call nested too deep is a 400 naming the depth', () => {
    const p = planRequest(ROUTES.get('/v1/track')!, segmentCall({ properties: { p: deep(100_000) } }), 100, opts);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.answer).toMatchObject({ status: 400, code: 'TSR_COLLECT_INVALID_EVENT', message: expect.stringContaining('nested deeper than 64 levels') });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'web', 'context: expected an object, got string'],
    ['too deep for a call to hold it', { traits: deep(63) }, 'context.traits.a.a.a…: nested deeper than 63 levels'],
    ['over 4 KB', { library: { name: 'x'.repeat(5_000) } }, 'context: 5023 bytes, over the 4096-byte limit for a batch-level context'],
  ])('a batch-level context %s refuses the batch: it would make every call wrong', (_n, context, problem) => {
    const p = plan(batch, { batch: [segmentCall()], context });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.answer).toMatchObject({ status: 400, code: 'TSR_COLLECT_INVALID_BATCH', problems: [expect.stringContaining(problem)] });
  });

  it('"batch" and "context" are read from the body itself, not from Object.prototype', () => {
    const p = plan(batch, JSON.parse('{"__proto__":{"batch":[{"type":"track","event":"e","userId":"u"}]}}'));
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.answer.message).toContain('batch: missing');
  });
});

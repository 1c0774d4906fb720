import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { claimKey, defaultIdentityConfig, extractIdentifiers } from '../identity/index.ts';
import { eventRow, sessionKey, touchpointRows } from './event-rows.ts';

const at = { topic: 't.touchpoints', partition: 2, offset: '41' };
const src = { src_topic: 't.touchpoints', src_partition: 2, src_offset: '41' };

const tp = (o: Partial<Touchpoint> = {}): Touchpoint => ({
  messageId: 'm1', type: 'track', event: 'Order Completed', name: null, userId: 'u1', anonymousId: 'a1', previousId: null,
  groupId: null, timestamp: Date.UTC(2026, 0, 1, 12), sentAt: null, receivedAt: null, source: 'web', context: null,
  traits: {}, properties: {}, externalIds: [], ...o,
});
const config = defaultIdentityConfig;
const rowOf = (t: Touchpoint) => eventRow(t, extractIdentifiers(t, config), at);

describe('touchpointRows (no resolve-time profile: events are attributed through their claim)', () => {
  it('maps identifiers, claim key and drops, and leaves every resolve-time column empty', () => {
    const t = tp({ traits: { email: 'Ada@Mailbox.ORG' }, context: null, externalIds: [{ type: 'crm_id', id: 'C-7', collection: null }] });
    const m = touchpointRows({ ...t, traits: { ...t.traits, phone: 'not a phone' } }, config, at);
    const x = extractIdentifiers(t, config);
    expect(m).toMatchObject({ ok: true, rows: { events: [{
      message_id: 'm1', claim_key: claimKey(x.identifiers), identifiers: ['user_id:u1', 'anonymous_id:a1', 'email:ada@mailbox.org', 'crm_id:C-7'],
      dropped_types: ['phone'], dropped_codes: ['INVALID'], profile_id: '', id_type: '', id_value: '', refused: [], refusal_codes: [],
      event_time: Date.UTC(2026, 0, 1, 12) / 1000, ...src,
    }] } });
  });
  it('gives the same claim key whatever the order the identifiers come in (the extract stage computes the same)', () => {
    const a = rowOf(tp({ userId: 'u1', anonymousId: 'a1' }));
    const b = rowOf(tp({ userId: null, anonymousId: 'a1', externalIds: [{ type: 'user_id', id: 'u1', collection: null }] }));
    expect(a.claim_key).toBe(b.claim_key);
    expect(a.claim_key).toMatch(/^c_[0-9a-f]{32}$/);
  });
  it('has no claim key when every identifier was invalid (nothing to link)', () => {
    const m = touchpointRows(tp({ userId: null, anonymousId: null, traits: { phone: 'not a phone' } }), config, at);
    expect(m).toMatchObject({ ok: true, rows: { events: [{ claim_key: '', identifiers: [], dropped_types: ['phone'] }] } });
  });
  it('keys a claim of blocked values only as the extract stage does (they link once un-blocked)', () => {
    const t = tp({ userId: null, anonymousId: null, traits: { email: 'test@example.com' } });
    const x = extractIdentifiers(t, config);
    expect(x.blocked?.length).toBeGreaterThan(0);
    expect(touchpointRows(t, config, at)).toMatchObject({ ok: true, rows: { events: [{ claim_key: claimKey(x.identifiers, x.blocked), identifiers: [], dropped_types: ['email'] }] } });
  });
  it('skips an invalid touchpoint with its code (the extract stage dead-letters it)', () => {
    expect(touchpointRows(tp({ type: 'track', event: null }), config, at)).toMatchObject({ ok: false, skipped: true, code: 'TSR_DLQ_INVALID' });
  });
  it.each([
    ['revenue that is not a number', tp({ properties: { revenue: '12' } }), { revenue: 0 }],
    ['traits from context and call, call wins', tp({ traits: { plan: 'pro' }, context: { ip: null, userAgent: null, locale: null, timezone: null, page: null, campaign: null, device: null, os: null, app: null, location: null, traits: { plan: 'free', age: 3 } } }),
      { trait_keys: ['age', 'plan'], trait_values: ['3', 'pro'] }],
    ['no receivedAt', tp({ receivedAt: null }), { received_at: Date.UTC(2026, 0, 1, 12) / 1000 }],
  ])('handles %s', (_name, t, expected) => expect(rowOf(t)).toMatchObject(expected));

  it('is deterministic: the same touchpoint always gives the same row (a redelivery lands on the same sort key)', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2099, 0, 1) }), (u, a, ts) => {
      const t = tp({ userId: u || null, anonymousId: a || null, timestamp: ts });
      expect(rowOf(t)).toEqual(rowOf(structuredClone(t)));
    }));
  });
});

describe('sessionKey', () => {
  it.each([
    [tp({ properties: { session_id: 'S' } }), 's:S'],
    [tp({ anonymousId: 'a1', timestamp: 30 * 60 * 1000 * 3 + 5 }), 'w:a1:3'],
    [tp({ anonymousId: null, userId: null, messageId: 'mx', timestamp: 0 }), 'w:mx:0'],
  ])('%#: %s', (t, expected) => expect(sessionKey(t)).toBe(expected));
});

import { describe, expect, it } from 'vitest';
import { errorBody, externalId, linkedOrder, segmentEvent, segmentExternalIds, segmentMetadata, segmentTraits } from './segment.ts';
import type { EventRow } from './warehouse.ts';

const row = (o: Partial<EventRow> = {}): EventRow => ({
  message_id: 'm1', type: 'track', event: 'Order Completed', name: '', source: 'web', event_ms: '1700000000123', received_s: 1700000001,
  user_id: 'u1', anonymous_id: '', ip: '10.0.0.1', user_agent: 'UA', locale: '', timezone: '',
  page_path: '/cart', page_url: '', page_referrer: '', page_title: '', utm_source: '', utm_medium: '', utm_campaign: '',
  device_id: '', device_type: 'mobile', device_model: '', os_name: '', app_name: '', app_version: '',
  country: 'DE', region: 'BE', city: '', revenue: 12.5, currency: 'EUR',
  trait_keys: ['plan'], trait_values: ['pro'], property_keys: ['revenue', 'currency'], property_values: ['12.5', 'EUR'],
  identifiers: ['user_id:u1', 'anonymous_id:a:1'], ...o,
});

describe('Segment Profile API shapes', () => {
  it('renders an event as /events does, without empty context blocks', () => {
    expect(segmentEvent(row(), 'p_1')).toEqual({
      external_ids: [
        { collection: 'users', type: 'user_id', id: 'u1', encoding: 'none' },
        { collection: 'users', type: 'anonymous_id', id: 'a:1', encoding: 'none' },
      ],
      context: { ip: '10.0.0.1', userAgent: 'UA', page: { path: '/cart' }, device: { type: 'mobile' }, location: { country: 'DE', region: 'BE' }, traits: { plan: 'pro' } },
      type: 'track', message_id: 'm1', source_id: 'web', timestamp: '2023-11-14T22:13:20.123Z', received_at: '2023-11-14T22:13:21.000Z',
      properties: { revenue: '12.5', currency: 'EUR' }, event: 'Order Completed', user_id: 'u1', related: { users: 'p_1' },
    });
  });

  it('names a page by its name and gives no event', () => {
    const e = segmentEvent(row({ type: 'page', event: '', name: 'Home' }), 'p_1');
    expect(e.name).toBe('Home');
    expect('event' in e).toBe(false);
  });

  it('renders traits plain or verbose', () => {
    const rows = [{ trait: 'plan', value: 'pro', updated_ms: '1700000000000' }];
    expect(segmentTraits(rows, false)).toEqual({ plan: 'pro' });
    expect(segmentTraits(rows, true)).toEqual({ plan: { value: 'pro', source_id: null, updated_at: '2023-11-14T22:13:20.000Z' } });
  });

  it('orders external ids by when they were linked and dates each by its linking event', () => {
    const ids = linkedOrder([
      { type: 'email', value: 'a@x.io', messageId: 'm2', eventTime: 2000 },
      { type: 'user_id', value: 'u1', messageId: 'm1', eventTime: 1000 },
      { type: 'anonymous_id', value: 'c1', messageId: 'm1', eventTime: 1000 },
    ]);
    expect(ids.map((l) => l.value)).toEqual(['c1', 'u1', 'a@x.io']);
    expect(segmentExternalIds(ids.slice(0, 1), false)).toEqual([{ id: 'c1', type: 'anonymous_id', collection: 'users', source_id: null, created_at: '1970-01-01T00:00:01.000Z', encoding: 'none', first_message_id: 'm1' }]);
    expect(segmentMetadata({ profileId: 'p', state: 'active', mergedInto: null, identifiers: ids, firstSeen: 1000, lastSeen: 1500 }))
      .toMatchObject({ created_at: '1970-01-01T00:00:01.000Z', updated_at: '1970-01-01T00:00:02.000Z', first_message_id: 'm1', last_message_id: 'm2', expires_at: null });
    expect(externalId('email:a:b@x.io')).toMatchObject({ type: 'email', id: 'a:b@x.io' });
  });

  it.each([
    [401, 'TSR_API_UNAUTHORIZED', 'authentication_error'],
    [403, 'TSR_API_FORBIDDEN', 'authentication_error'],
    [404, 'TSR_API_UNKNOWN_IDENTIFIER', 'not_found'],
    [400, 'TSR_API_BAD_TYPE', 'validation_error'],
    [400, 'TSR_API_BAD_QUERY', 'invalid_request_error'],
    [405, 'TSR_API_METHOD', 'invalid_request_error'],
    [503, 'TSR_API_NOT_READY', 'server_error'],
  ])('answers %i %s with Segment\'s error class %s and the catalog code', (status, code, segment) => {
    expect(errorBody(status, code, 'why')).toEqual({ error: { code: segment, tessera_code: code, message: 'why' } });
  });
});
